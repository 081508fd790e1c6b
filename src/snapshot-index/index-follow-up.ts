import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { PRIORITY } from '../config/priority';
import { JobEvents } from '../jobs/job-events';
import { JobRunner } from '../jobs/job-runner.service';
import type { Job, JobTrigger } from '../jobs/job.types';
import { SnapshotIndexService } from './snapshot-index.service';

/** Jobs whose end changes which snapshots a repository holds. */
const CHANGING = new Set(['backup', 'forget', 'prune']);
/** snapshots remembered as browsed before they were indexed (each asks for one index job) */
const ASKED_REMEMBERED = 1_024;

/**
 * Keeps the index ahead of need. Once a repository is open (its init job at startup, after a
 * reload or a retry succeeded), its snapshots are compared with the index (one `restic
 * snapshots`, outside the queue) and, when some are not indexed yet (made elsewhere, or before
 * the daemon ran) or are gone, an on-idle `index` job is queued; so it is for each repository a
 * backup, forget or prune has just changed, once that job's end has reached its subscribers. The
 * queue merges identical requests.
 * A read-only daemon queues no init job: its repositories are compared at start instead. A
 * snapshot browsed before it is indexed asks for its repository's index job too (once, unless
 * that job fails).
 */
@Injectable()
export class IndexFollowUp implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SnapshotIndex');
  private stop?: () => void;
  private stopped = false;
  /** `repository\0snapshot id` of the snapshots browsed unindexed that asked for an index job */
  private readonly asked = new Set<string>();

  constructor(
    private readonly config: LiveConfig,
    private readonly runner: JobRunner,
    private readonly events: JobEvents,
    private readonly index: SnapshotIndexService,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.events.onFinished((job) => this.jobEnded(job));
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.stop?.();
  }

  /** Compares every repository with the index, as an opened repository's init job does. */
  catchUpAll(trigger: JobTrigger): void {
    for (const repository of Object.keys(this.config.current.repositories)) {
      void this.catchUp(repository, trigger);
    }
  }

  /**
   * A snapshot that is not indexed (nor evicted) was browsed: its folders came from restic. Its
   * repository's index job is queued, at on-idle priority, so that the next visit reads the index.
   */
  browsedUnindexed(repository: string, snapshotId: string): void {
    const key = `${repository}\0${snapshotId}`;
    if (this.asked.has(key)) return;
    try {
      if (this.index.state(repository, snapshotId) !== 'not-indexed') return;
      this.asked.add(key);
      if (this.asked.size > ASKED_REMEMBERED) this.asked.delete(this.asked.values().next().value!);
      this.request(repository, 'api');
    } catch (error) {
      // browsing answers all the same; the next backup or restart catches up
      this.notQueued(repository, error);
    }
  }

  private jobEnded(job: Job): void {
    if (job.operation === 'index' && job.repository) {
      // a failed run leaves snapshots unindexed: browsing them may ask again
      if (job.state === 'failed' || job.state === 'interrupted') {
        for (const key of this.asked) {
          if (key.startsWith(`${job.repository}\0`)) this.asked.delete(key);
        }
      }
      return;
    }
    if (job.operation === 'init' && job.state === 'succeeded' && job.repository) {
      void this.catchUp(job.repository, job.trigger);
      return;
    }
    if (!CHANGING.has(job.operation)) return;
    if (job.operation === 'backup' && job.snapshotIds.length === 0) return;
    const repositories = new Set<string>();
    if (job.repository) repositories.add(job.repository);
    for (const step of job.steps) if (step.repository) repositories.add(step.repository);
    // Queued once the job's end has reached its subscribers: the index job's own versions (and
    // then its restic) would otherwise go out with the end every dashboard waits for, which
    // measured up to half again as long to reach 2,000 of them as an ordinary update.
    void this.events.handedOver().then(() => {
      for (const repository of repositories) this.requestFollowUp(repository);
    });
  }

  private requestFollowUp(repository: string): void {
    if (this.stopped) return;
    try {
      this.request(repository, 'follow-up');
    } catch (error) {
      // the next backup, or the comparison at the next start, catches up
      this.notQueued(repository, error);
    }
  }

  private notQueued(repository: string, error: unknown): void {
    this.logger.warn({
      msg: `snapshot index: could not queue the index job of repository "${repository}": ${error instanceof Error ? error.message : String(error)}`,
      repository,
    });
  }

  private async catchUp(repository: string, trigger: JobTrigger): Promise<void> {
    try {
      if (await this.index.behind(repository)) this.request(repository, trigger);
    } catch (error) {
      this.logger.warn({
        msg: `snapshot index: could not compare repository "${repository}" with the index: ${(error as Error).message}`,
        repository,
      });
    }
  }

  private request(repository: string, trigger: JobTrigger): void {
    if (!this.config.current.repositories[repository]) return;
    this.runner.enqueue({ operation: 'index', repository, trigger, priority: PRIORITY['on-idle'] });
  }
}
