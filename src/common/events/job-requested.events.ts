/**
 * Domain events by which triggers (schedules, file watchers) ask for jobs, through
 * @nestjs/event-emitter. They sit below both sides so that triggers import nothing from the jobs
 * layer: the services that own each kind of job listen (BackupsService for backups and prunes,
 * RepositoryJobsService for checks) and queue it.
 *
 * Listeners run synchronously inside `emit`, so the one that queues answers on the event itself
 * (`answer`): the trigger logs which job it got, or re-arms when the request was refused.
 */

/** What asked: the two triggers (the API and startup call the services directly). */
export type RequestingTrigger = 'schedule' | 'watch';

export type JobRequestAnswer =
  { outcome: 'queued'; jobId: number } | { outcome: 'refused'; reason: string };

export abstract class JobRequestedEvent {
  abstract readonly operation: 'backup' | 'prune' | 'check';
  /** Set by the listener that took the request; undefined when nobody listened. */
  answer?: JobRequestAnswer;

  constructor(
    /** the backup (backup, prune) or repository (check) the job is for */
    readonly subject: string,
    readonly trigger: RequestingTrigger,
    /** the job's priority; without it, the one the configuration gives the definition */
    readonly priority?: number,
  ) {}
}

/** Asks for a backup of the backup definition `subject`. */
export class BackupRequestedEvent extends JobRequestedEvent {
  static readonly event = 'job-request.backup';
  readonly operation = 'backup';
}

/** Asks for forget and prune of the backup definition `subject`'s snapshots. */
export class PruneRequestedEvent extends JobRequestedEvent {
  static readonly event = 'job-request.prune';
  readonly operation = 'prune';
}

/** Asks for a check of the repository `subject`. */
export class CheckRequestedEvent extends JobRequestedEvent {
  static readonly event = 'job-request.check';
  readonly operation = 'check';
}
