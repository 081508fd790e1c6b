import { isImmediate, isOnIdle } from '../config/priority';
import { locksConflict, type ResourceLock } from './job-locks';
import type { Job } from './job.types';

export interface Candidate {
  job: Job;
  locks: ResourceLock[];
  /** starts without a free slot (see JobHandler.takesNoSlot) */
  takesNoSlot?: boolean;
}

/**
 * Which waiting jobs may start now. Walks the queue in order; a job that cannot start reserves
 * the resources it wants, so that lower-priority jobs cannot keep a prune or check waiting
 * forever by always holding its repository shared. On-idle jobs start only when nothing runs,
 * nothing else waits, and `idleSettled` (the runner's settle time, `jobs.idleDelay`, is over).
 */
export function selectJobsToStart(
  ordered: readonly Candidate[],
  runningLocks: readonly ResourceLock[][],
  concurrency: number,
  idleSettled = true,
): Candidate[] {
  const held: ResourceLock[] = runningLocks.flat();
  const reserved: ResourceLock[] = [];
  let runningCount = runningLocks.length;
  const othersWaiting = ordered.some((c) => !isOnIdle(c.job.priority));
  const selected: Candidate[] = [];

  for (const candidate of ordered) {
    const { job, locks } = candidate;
    if (isOnIdle(job.priority) && (runningCount > 0 || othersWaiting || !idleSettled)) continue;
    const free = !locksConflict(locks, held) && !locksConflict(locks, reserved);
    const hasSlot =
      isImmediate(job.priority) || candidate.takesNoSlot === true || runningCount < concurrency;
    if (free && hasSlot) {
      selected.push(candidate);
      held.push(...locks);
      runningCount++;
    } else {
      reserved.push(...locks);
    }
  }
  return selected;
}
