import { CronExpressionParser } from 'cron-parser';

/** Bounds the skipping of DST repeats; a zone never repeats the same wall time more than once. */
const MAX_SKIPS = 3;

/**
 * The first occurrence of a cron expression strictly after `afterMs`, or null if it has none
 * (cron-parser gives up on expressions that match no date within its search limit).
 *
 * cron-parser already moves a time that a spring-forward gap skips (02:30 on the day clocks jump
 * from 02:00 to 03:00) to just after the gap, so it still fires that day. On a fall-back day it
 * yields a fixed time like 02:30 twice (once per offset), so the second one is skipped: a daily
 * 02:30 backup runs once. Expressions that fire every hour keep both, as Vixie cron does, because
 * there the repeated hour is a real hour that needs its runs.
 */
export function nextCronOccurrence(
  expression: string,
  afterMs: number,
  timeZone?: string,
): number | null {
  try {
    const cron = CronExpressionParser.parse(expression, {
      currentDate: new Date(afterMs),
      tz: timeZone,
    });
    const everyHour = cron.fields.hour.values.length === 24;
    for (let i = 0; i <= MAX_SKIPS; i++) {
      const at = cron.next().getTime();
      if (everyHour || !isRepeatedWallTime(at, timeZone)) return at;
    }
    return null;
  } catch {
    return null;
  }
}

/** Longer than any daylight-saving shift (one hour, or thirty minutes on Lord Howe Island). */
const LOOK_BACK_MS = 3 * 3_600_000;

/**
 * Whether the wall-clock time at `atMs` was already shown earlier, because the clocks went back
 * in the last few hours: the earlier twin is `atMs` minus the size of that shift.
 */
function isRepeatedWallTime(atMs: number, timeZone?: string): boolean {
  const offset = (ms: number) => wallClockMs(ms, timeZone) - Math.floor(ms / 1000) * 1000;
  const shift = offset(atMs - LOOK_BACK_MS) - offset(atMs);
  return shift > 0 && wallClockMs(atMs - shift, timeZone) === wallClockMs(atMs, timeZone);
}

/** The wall-clock time in a zone at an instant, written as if it were UTC, to the second. */
function wallClockMs(ms: number, timeZone?: string): number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts = format.formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
}
