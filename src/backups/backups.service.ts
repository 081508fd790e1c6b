import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { BackupRequestedEvent, PruneRequestedEvent } from '../common/events/job-requested.events';
import { ConfiguredEntries, UnknownNameError } from '../config/configured-entries';
import { LiveConfig } from '../config/live-config';
import type { BackupConfig } from '../config/config.types';
import { PRIORITY, type Priority } from '../config/priority';
import { JobRunner } from '../jobs/job-runner.service';
import { answerJobRequest } from '../jobs/job-request-answer';
import type { Job, JobTrigger } from '../jobs/job.types';

export class UnknownBackupError extends UnknownNameError {
  constructor(name: string) {
    super('backup', name);
  }
}

/** The configured backup definitions, and the one way to ask for a backup to run. */
@Injectable()
export class BackupsService extends ConfiguredEntries<BackupConfig> {
  constructor(
    private readonly config: LiveConfig,
    private readonly runner: JobRunner,
  ) {
    super();
  }

  protected entries(): Record<string, BackupConfig> {
    return this.config.current.backups;
  }

  protected unknown(name: string): UnknownBackupError {
    return new UnknownBackupError(name);
  }

  /** Queues forget (by the retention policy) and prune for a backup's snapshots. */
  requestPrune(name: string, trigger: JobTrigger, priority?: Priority): Job {
    const backup = this.get(name);
    return this.runner.enqueue({
      operation: 'prune',
      backup: name,
      trigger,
      priority: priority ?? backup.prune?.priority ?? PRIORITY.inferior,
    });
  }

  /** Queues a backup; one identical to a waiting one only raises that one's priority. */
  request(name: string, trigger: JobTrigger, priority?: Priority): Job {
    const backup = this.get(name);
    return this.runner.enqueue({
      operation: 'backup',
      backup: name,
      trigger,
      priority: priority ?? backup.priority,
    });
  }

  /** A trigger (schedule, watcher) asks for a backup. */
  @OnEvent(BackupRequestedEvent.event)
  onBackupRequested(event: BackupRequestedEvent): void {
    answerJobRequest(event, () => this.request(event.subject, event.trigger, event.priority));
  }

  /** A schedule asks for a prune. */
  @OnEvent(PruneRequestedEvent.event)
  onPruneRequested(event: PruneRequestedEvent): void {
    answerJobRequest(event, () => this.requestPrune(event.subject, event.trigger, event.priority));
  }
}
