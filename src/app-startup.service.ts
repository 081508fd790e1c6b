import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { type ConfigChange, LiveConfig, movedRepositories } from './config/live-config';
import { PRIORITY } from './config/priority';
import { RuntimeInfo } from './common/runtime-info';
import { JobRecovery } from './jobs/job-recovery';
import { JobRunner } from './jobs/job-runner.service';
import { RepositoriesService } from './repositories/repositories.service';
import { ResticService } from './repositories/restic.service';
import { IndexFollowUp } from './snapshot-index/index-follow-up';
import { ScheduleTrigger } from './triggers/schedule-trigger.service';
import { WatchTrigger } from './triggers/watch-trigger.service';

/**
 * The order the daemon wakes up in: restic must be usable, the previous run's jobs are put in
 * order, every repository is made to exist, and only then do jobs start and triggers arm.
 * A read-only daemon skips everything that would write to a repository: no init, no unlock of
 * what the previous run left, no triggers; the runner still starts, for restores and for the
 * index jobs that keep the snapshot index up to date (they only read the repository).
 */
@Injectable()
export class AppStartup implements OnApplicationBootstrap {
  private readonly logger = new Logger('Startup');

  constructor(
    private readonly config: LiveConfig,
    private readonly restic: ResticService,
    private readonly runtime: RuntimeInfo,
    private readonly recovery: JobRecovery,
    private readonly runner: JobRunner,
    private readonly repositories: RepositoriesService,
    private readonly schedules: ScheduleTrigger,
    private readonly watchers: WatchTrigger,
    private readonly indexing: IndexFollowUp,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runtime.resticVersion = await this.restic.assertSupportedVersion();
    this.logger.log({
      msg: `restic ${this.runtime.resticVersion} found`,
      resticVersion: this.runtime.resticVersion,
    });
    const readOnly = this.config.current.readOnly;
    const recovered = this.recovery.recover({ readOnly });
    if (recovered.interrupted || recovered.requeued) {
      this.logger.warn({
        msg: `recovered the previous run: ${recovered.interrupted} interrupted, ${recovered.requeued} queued again`,
        ...recovered,
      });
    }
    if (readOnly) {
      this.logger.log({
        msg: 'read-only: no repository is initialized or unlocked, no schedule or watcher runs',
        readOnly,
      });
      this.runner.start();
      // index jobs only read repositories (restic runs with --no-lock), and write the index file
      this.indexing.catchUpAll('startup');
      return;
    }
    this.initialize(this.repositories.list().map((repository) => repository.name));
    this.config.onChange((change) => this.configChanged(change));
    this.runner.start();
    this.schedules.start();
    this.watchers.start();
  }

  private initialize(names: string[], trigger: 'startup' | 'reload' = 'startup'): void {
    for (const repository of names) {
      this.runner.enqueue({
        operation: 'init',
        repository,
        trigger,
        priority: PRIORITY.next,
      });
    }
  }

  /**
   * A reload can add a repository or point an existing name somewhere else: each gets the same
   * init job as at startup, so that it exists before the first backup reaches it.
   */
  private configChanged(change: ConfigChange): void {
    this.initialize([...change.repositories.added, ...movedRepositories(change)], 'reload');
  }
}
