import type { Schedule } from '../config/config.types';
import { nextCronOccurrence } from '../config/cron-occurrence';

/**
 * When a definition is next due, in epoch milliseconds, or null when it has no schedules that
 * can ever fire. Pure: every input is a parameter, so the arithmetic is tested without timers.
 *
 * - An interval counts from the last run: `lastRun + everyMs`; never run means due now.
 * - A cron expression is due at its first occurrence strictly after the last run; never run means
 *   its next occurrence after now (a new definition does not run at once because of cron).
 * - With several schedules the earliest time wins.
 * - A time already past is due now, once, however many slots were missed while the daemon was
 *   stopped or the machine slept: the caller records a new last run when that run ends.
 *
 * Cron expressions are read in `timeZone`, an IANA name; undefined means the process's local zone
 * (the TZ environment variable), which is what a person writing "02:30" on that machine means.
 */
export function nextDueAt(
  schedules: readonly Schedule[],
  lastRunMs: number | null,
  nowMs: number,
  timeZone?: string,
): number | null {
  // A last run in the future means the wall clock was set back; counting from it would hold the
  // schedule off for as long as the clock jumped, so count from now instead.
  const since = lastRunMs === null ? null : Math.min(lastRunMs, nowMs);
  let earliest: number | null = null;
  for (const schedule of schedules) {
    const due =
      schedule.kind === 'interval'
        ? since === null
          ? nowMs
          : since + schedule.everyMs
        : nextCronOccurrence(schedule.expression, since ?? nowMs, timeZone);
    if (due !== null && (earliest === null || due < earliest)) earliest = due;
  }
  return earliest === null ? null : Math.max(earliest, nowMs);
}
