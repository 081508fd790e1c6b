import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { BackupRequestedEvent, PruneRequestedEvent } from '../common/events/job-requested.events';
import { LiveConfig } from '../config/live-config';
import type { BackupConfig } from '../config/config.types';
import { PRIORITY, type Priority } from '../config/priority';
import { JobRunner } from '../jobs/job-runner.service';
import { answerJobRequest } from '../jobs/job-request-answer';
import type { Job, JobTrigger } from '../jobs/job.types';

export class UnknownBackupError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(name: string) {
    super(`no backup named "${name.slice(0, 100)}"`);
  }
}

/** The configured backup definitions, and the one way to ask for a backup to run. */
@Injectable()
export class BackupsService {
  constructor(
    private readonly config: LiveConfig,
    private readonly runner: JobRunner,
  ) {}

  list(): BackupConfig[] {
    return Object.values(this.config.current.backups);
  }

  find(name: string): BackupConfig | undefined {
    return Object.hasOwn(this.config.current.backups, name)
      ? this.config.current.backups[name]
      : undefined;
  }

  get(name: string): BackupConfig {
    const backup = this.find(name);
    if (!backup) throw new UnknownBackupError(name);
    return backup;
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
