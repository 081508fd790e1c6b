import type { Schedule } from './config.types';
import { nextCronOccurrence } from './cron-occurrence';
import { parseDuration } from './duration';

/** The least grace, so that short test schedules and queue waits do not flap. */
export const OVERDUE_MIN_GRACE_MS = 10 * 60_000;

/**
 * The shortest time between two runs the schedules ask for: an interval's length, or for a cron
 * expression the gap between its next two occurrences after `nowMs`. Null when none ever fires.
 */
export function shortestIntervalMs(
  schedules: readonly Schedule[],
  nowMs: number,
  timeZone?: string,
): number | null {
  let shortest: number | null = null;
  for (const schedule of schedules) {
    let gap: number | null = null;
    if (schedule.kind === 'interval') {
      gap = schedule.everyMs;
    } else {
      const first = nextCronOccurrence(schedule.expression, nowMs, timeZone);
      const second =
        first === null ? null : nextCronOccurrence(schedule.expression, first, timeZone);
      gap = first === null || second === null ? null : second - first;
    }
    if (gap !== null && (shortest === null || gap < shortest)) shortest = gap;
  }
  return shortest;
}

/** How late a scheduled backup may be before it counts as overdue: half its interval, 10 min at least. */
export function overdueGraceMs(intervalMs: number, minGraceMs = OVERDUE_MIN_GRACE_MS): number {
  return Math.max(minGraceMs, intervalMs / 2);
}

export interface OverdueInput {
  schedules: readonly Schedule[];
  /** end of the last successful backup job, epoch ms */
  lastSuccessAt: number | null;
  /** when the daemon first knew of this backup: its oldest recorded job, or the daemon's start */
  knownSinceAt: number;
  /** when the schedule next fires; null while a run is queued or running */
  nextRunAt: number | null;
  nowMs: number;
  timeZone?: string;
  /** the least grace; OVERDUE_MIN_GRACE_MS unless shortened (overdueMinGraceMs) */
  minGraceMs?: number;
}

/**
 * Whether a backup is overdue. Precisely, with I = the shortest interval of its schedules
 * (`shortestIntervalMs`) and G = max(10 minutes, I / 2) (`overdueGraceMs`), a backup is overdue
 * when it has at least one schedule that fires and either
 *
 * 1. its last successful backup job ended more than I + G ago; a backup that never succeeded
 *    counts from when the daemon first knew of it (its oldest recorded job, or the daemon's start
 *    when there is none), so a fresh definition is not overdue at once; or
 * 2. its next scheduled run is more than G in the past (the schedule did not fire: a stuck timer,
 *    or a clock jump). While a run is queued or running there is no next run, and only rule 1
 *    applies, so a backup stuck waiting for long still becomes overdue.
 *
 * A backup without schedules (run by hand or by a watcher only) is never overdue: nothing says
 * how often it should run. G is generous because an interval counts from the end of one run to
 * the next request, so successes are spaced by the interval plus queue wait plus run time.
 */
export function isOverdue(input: OverdueInput): boolean {
  const interval = shortestIntervalMs(input.schedules, input.nowMs, input.timeZone);
  if (interval === null) return false;
  const grace = overdueGraceMs(interval, input.minGraceMs);
  const since = input.lastSuccessAt ?? input.knownSinceAt;
  if (input.nowMs - since > interval + grace) return true;
  return input.nextRunAt !== null && input.nowMs - input.nextRunAt > grace;
}

/**
 * The least grace this process uses: HEN_BACKUP_OVERDUE_MIN_GRACE (a duration such as `2s`, for
 * tests and demonstrations with short schedules) or 10 minutes. The status, the metric and the
 * notifications read it the same way, so that they always agree.
 */
export function overdueMinGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HEN_BACKUP_OVERDUE_MIN_GRACE?.trim();
  if (!raw) return OVERDUE_MIN_GRACE_MS;
  const ms = parseDuration(raw);
  return typeof ms === 'number' && ms > 0 ? ms : OVERDUE_MIN_GRACE_MS;
}
