/**
 * Asks the jobs layer, through @nestjs/event-emitter, whether a job of an operation and subject
 * (a backup's name, or a repository's for checks) is waiting or running. The schedule trigger
 * asks before it requests a run, so that runs of one definition never pile up; the jobs layer's
 * listener answers on the query itself, synchronously, inside `emit`.
 */
export class PendingJobQuery {
  static readonly event = 'job.pending-query';
  /** Set by the listener: the job found, or null; undefined when nobody listened. */
  answer?: { jobId: number; state: string } | null;

  constructor(
    readonly operation: string,
    readonly subject: string,
  ) {}
}
