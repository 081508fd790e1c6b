import { hasEnded, type Job, type JobState } from './job.types';

/**
 * Where a feed of job versions puts a new one: a version of the same job still waiting to be
 * taken gives way to it when no state change is lost, that is when both have the same state or
 * the waiting one did not change the state. A version is the whole job (state, steps, progress,
 * snapshot), so the newer one holds all the waiting one did. Versions wait only for a subscriber
 * that is behind (PacedPubSub hands a listener all it missed at once; a client that reads slowly
 * leaves its feed's versions waiting): that subscriber skips the in-between versions and gets the
 * job as it is now, sooner. A subscriber that keeps up takes each version before the next.
 */
export class JobVersionConflation {
  /** The state of each job's last version placed, for jobs not ended. */
  private readonly lastState = new Map<number, JobState>();
  /** Placed versions that change their job's state: never given way. */
  private readonly stateChanges = new WeakSet<Job>();

  /** Forgets a job that ended without its final version being placed (a filter left it out). */
  forget(jobId: number): void {
    this.lastState.delete(jobId);
  }

  /** Puts `job` among the versions `waiting` to be taken. */
  place(waiting: Job[], job: Job): void {
    // a job this feed has not seen a version of yet counts as changing state
    const changesState = this.lastState.get(job.id) !== job.state;
    if (hasEnded(job)) this.lastState.delete(job.id);
    else this.lastState.set(job.id, job.state);
    let index = waiting.length - 1;
    while (index >= 0 && waiting[index].id !== job.id) index--;
    const older = index >= 0 ? waiting[index] : undefined;
    if (older && (!this.stateChanges.has(older) || older.state === job.state)) {
      if (changesState || this.stateChanges.has(older)) this.stateChanges.add(job);
      waiting[index] = job;
      return;
    }
    if (changesState) this.stateChanges.add(job);
    waiting.push(job);
  }
}
