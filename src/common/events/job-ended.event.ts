/**
 * A job reached its end (succeeded, failed, canceled or interrupted), announced by the jobs
 * layer through @nestjs/event-emitter after the end is stored. Only what listeners above the
 * jobs layer need (the schedule trigger counts runs from it), so that they need not import it.
 */
export class JobEndedEvent {
  static readonly event = 'job.ended';

  constructor(
    readonly job: {
      readonly id: number;
      readonly operation: string;
      readonly backup: string | null;
      readonly repository: string | null;
      readonly trigger: string;
      readonly state: string;
      readonly endedAt: string | null;
    },
  ) {}
}
