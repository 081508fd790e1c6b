import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { type ConfigChange, LiveConfig, movedRepositories } from '../config/live-config';
import { PRIORITY } from '../config/priority';
import { describeFailure } from '../jobs/job-failure';
import { JobRunner } from '../jobs/job-runner.service';
import { RepositoryIdentityStore } from '../jobs/repository-identity-store';
import { ResticService } from './restic.service';
import type { ResticCallOptions } from '../restic/restic.types';
import { maskLocation } from './mask-location';
import { mountProblem } from './mount-check';
import { RepositoriesService } from './repositories.service';
import { RepositoryStates } from './repository-states';

/** A repository the daemon opened before and that is no longer at its location. */
export class RepositoryMissingError extends Error {
  readonly code = 'REPOSITORY_MISSING';
}

/** `new`: create only a repository never seen before; `recreate`: also one that vanished. */
export type CreateMode = 'new' | 'recreate';

/**
 * Opens repositories before work reaches them, and keeps each one's state. A repository is made
 * only when the daemon never saw one at that name and location: one it knew (by restic's id,
 * kept in the state database) that is gone is reported, never silently replaced. After a
 * failure, an init job is queued again with a growing pause (jobs.repositoryRetry), so that a
 * backend that comes up late is used without a restart.
 */
@Injectable()
export class RepositoryOpener {
  private readonly logger = new Logger('Repositories');
  private readonly retries = new Map<string, { failures: number; cancel?: () => void }>();
  private readonly opening = new Map<string, Promise<void>>();

  constructor(
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
    private readonly identities: RepositoryIdentityStore,
    private readonly states: RepositoryStates,
    private readonly runner: JobRunner,
    private readonly clock: Clock,
  ) {
    config.onChange((change) => this.configChanged(change));
  }

  /** Opens the repository unless it is known to be ready (creating it if it is new). */
  async ensureReady(name: string, opts: ResticCallOptions): Promise<void> {
    if (this.states.isReady(name)) return;
    // two backups share a repository: the second waits for the first's open rather than racing
    // it (two inits of one new repository would fail one of them)
    const pending = this.opening.get(name);
    if (pending) {
      await pending;
      if (this.states.isReady(name)) return;
    }
    const opening = this.open(name, opts, 'new').then(() => undefined);
    this.opening.set(
      name,
      opening.catch(() => undefined),
    );
    try {
      await opening;
    } finally {
      this.opening.delete(name);
    }
  }

  /** Finds the repository at its location, or creates it as `create` allows. */
  async open(
    name: string,
    opts: ResticCallOptions,
    create: CreateMode,
  ): Promise<'found' | 'created'> {
    const repository = this.repositories.get(name);
    const target = this.repositories.target(name);
    const location = maskLocation(repository.location);
    try {
      if (repository.requireMount) {
        const problem = await mountProblem(repository.location);
        if (problem)
          throw new RepositoryMissingError(`repository "${name}" cannot be used: ${problem}`);
      }
      const known = this.identities.get(name, location);
      let id = await this.restic.repositoryId(target, opts);
      let outcome: 'found' | 'created' = 'found';
      if (id === null) {
        if (known && create !== 'recreate') {
          throw new RepositoryMissingError(
            `repository "${name}" (restic id ${known.resticId.slice(0, 8)}, last opened ${known.lastSeenAt}) ` +
              `is gone from ${location}; it is not created again on its own: check its disk or backend, ` +
              `or re-create it empty with initRepository(name: "${name}", recreate: true)`,
          );
        }
        await this.restic.init(target, opts);
        id = await this.restic.repositoryId(target, opts);
        if (id === null)
          throw new Error(`repository "${name}" cannot be found right after its init`);
        outcome = 'created';
        const how = known ? 'created again, empty, as asked' : 'created';
        const entry = { msg: `repository "${name}" ${how} at ${location}`, repository: name };
        if (known) this.logger.warn(entry);
        else this.logger.log(entry);
      } else if (known && known.resticId !== id) {
        this.logger.warn({
          msg: `repository "${name}" at ${location} is another repository than before (restic id ${id.slice(0, 8)}, was ${known.resticId.slice(0, 8)})`,
          repository: name,
        });
      }
      this.identities.remember(name, location, id, new Date(this.clock.now()).toISOString());
      const wasReady = this.states.isReady(name);
      this.states.ready(name, id);
      this.stopRetry(name);
      if (!wasReady && this.states.get(name).lastError) {
        this.logger.log({ msg: `repository "${name}" is ready again`, repository: name });
      }
      return outcome;
    } catch (error) {
      if (!opts.signal?.aborted) this.noteFailure(name, error, true);
      throw error;
    }
  }

  /**
   * Records what a failure says about the repository. Failures of a job's restic run count only
   * when they are about the repository (unreachable, missing, locked, wrong password); a failed
   * open counts whatever it was.
   */
  noteFailure(name: string, error: unknown, opening = false): void {
    if (!this.repositories.find(name)) return;
    const before = this.states.get(name).state;
    const { code, message } = describeFailure(error);
    if (
      !opening &&
      ![
        'BACKEND_UNREACHABLE',
        'REPOSITORY_NOT_FOUND',
        'REPOSITORY_MISSING',
        'WRONG_PASSWORD',
      ].includes(code)
    ) {
      return;
    }
    const state = this.states.failed(name, error);
    if (!state) return;
    if (state !== before) {
      const entry = { msg: `repository "${name}" is ${state}: ${message}`, repository: name, code };
      if (state === 'missing') this.logger.error(entry);
      else this.logger.warn(entry);
    }
    if (!this.config.current.readOnly) this.scheduleRetry(name);
  }

  private scheduleRetry(name: string): void {
    const entry = this.retries.get(name) ?? { failures: 0 };
    this.retries.set(name, entry);
    if (entry.cancel) return;
    const { minMs, maxMs } = this.config.current.jobs.repositoryRetry;
    const delayMs = Math.min(maxMs, minMs * 2 ** Math.min(entry.failures, 20));
    entry.failures++;
    entry.cancel = this.clock.setTimeout(() => {
      entry.cancel = undefined;
      this.states.retryAt(name, null);
      if (!this.repositories.find(name) || this.states.isReady(name)) return;
      this.runner.enqueue({
        operation: 'init',
        repository: name,
        trigger: 'retry',
        priority: PRIORITY.next,
      });
    }, delayMs);
    this.states.retryAt(name, new Date(this.clock.now() + delayMs).toISOString());
  }

  private stopRetry(name: string): void {
    this.retries.get(name)?.cancel?.();
    this.retries.delete(name);
  }

  /** A repository moved or removed by a reload starts over as unknown. */
  private configChanged(change: ConfigChange): void {
    for (const name of [...change.repositories.removed, ...movedRepositories(change)]) {
      this.stopRetry(name);
      this.states.reset(name);
    }
  }
}
