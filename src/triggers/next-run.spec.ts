import type { Schedule } from '../config/config.types';
import { parseSchedule } from '../config/schedule';
import { nextCronOccurrence } from '../config/cron-occurrence';
import { nextDueAt } from './next-run';

const schedule = (source: string) => parseSchedule(source) as Schedule;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('nextDueAt', () => {
  const now = at('2026-01-10T12:00:00Z');

  describe('intervals', () => {
    it('is due now when the definition never ran', () => {
      expect(nextDueAt([schedule('1h')], null, now, 'UTC')).toBe(now);
    });

    it('counts from the last run', () => {
      expect(nextDueAt([schedule('1h')], now - 10 * MINUTE, now, 'UTC')).toBe(now + 50 * MINUTE);
    });

    it('is due now, once, when slots were missed', () => {
      expect(nextDueAt([schedule('1h')], now - 3 * DAY, now, 'UTC')).toBe(now);
    });

    it('counts from now when the last run is in the future (the clock was set back)', () => {
      expect(nextDueAt([schedule('1h')], now + 5 * DAY, now, 'UTC')).toBe(now + HOUR);
    });
  });

  describe('cron', () => {
    it('waits for the next occurrence when the definition never ran, even on an occurrence', () => {
      const onTheHour = at('2026-01-10T03:00:00Z');
      expect(iso(nextDueAt([schedule('0 3 * * *')], null, onTheHour, 'UTC'))).toBe(
        '2026-01-11T03:00:00.000Z',
      );
    });

    it('takes the first occurrence strictly after the last run', () => {
      const lastRun = at('2026-01-10T03:00:00Z');
      expect(iso(nextDueAt([schedule('0 3 * * *')], lastRun, lastRun, 'UTC'))).toBe(
        '2026-01-11T03:00:00.000Z',
      );
      expect(iso(nextDueAt([schedule('0 3 * * *')], lastRun - 1, lastRun - 1, 'UTC'))).toBe(
        '2026-01-10T03:00:00.000Z',
      );
    });

    it('is due now, once, after a gap of several days', () => {
      expect(nextDueAt([schedule('0 3 * * *')], now - 3 * DAY, now, 'UTC')).toBe(now);
    });

    it('takes a sixth field as seconds', () => {
      const s = schedule('*/10 * * * * *');
      const t = at('2026-01-10T00:00:10Z');
      expect(iso(nextDueAt([s], t, t, 'UTC'))).toBe('2026-01-10T00:00:20.000Z');
      expect(iso(nextDueAt([s], t - 500, t - 500, 'UTC'))).toBe('2026-01-10T00:00:10.000Z');
    });

    it('skips months without the day (0 0 31 * *)', () => {
      const s = schedule('0 0 31 * *');
      const fires: string[] = [];
      let last = at('2026-01-31T00:00:00Z');
      for (let i = 0; i < 5; i++) {
        last = nextDueAt([s], last, last, 'UTC')!;
        fires.push(iso(last)!);
      }
      expect(fires).toEqual([
        '2026-03-31T00:00:00.000Z',
        '2026-05-31T00:00:00.000Z',
        '2026-07-31T00:00:00.000Z',
        '2026-08-31T00:00:00.000Z',
        '2026-10-31T00:00:00.000Z',
      ]);
    });

    it('uses the local time zone of the process when none is given', () => {
      const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
      expect(nextDueAt([schedule('30 2 * * *')], null, now)).toBe(
        nextDueAt([schedule('30 2 * * *')], null, now, local),
      );
    });
  });

  describe('daylight saving time (Europe/Berlin)', () => {
    const daily = schedule('30 2 * * *');
    const next = (fromIso: string, s = daily) =>
      iso(nextDueAt([s], at(fromIso), at(fromIso), 'Europe/Berlin'));

    it('still fires on the spring-forward day, when 02:30 does not exist (at 03:30 CEST)', () => {
      // the day before, 02:30 CET = 01:30Z; the run ended at 02:40
      expect(next('2026-03-28T01:40:00Z')).toBe('2026-03-29T01:30:00.000Z');
      expect(next('2026-03-29T01:40:00Z')).toBe('2026-03-30T00:30:00.000Z');
    });

    it('fires once on the fall-back day, when 02:30 happens twice', () => {
      expect(next('2026-10-24T00:40:00Z')).toBe('2026-10-25T00:30:00.000Z');
      // The run at the first 02:30 (CEST) ended during the repeated hour, at 02:15 CET: the second
      // 02:30 (CET, 01:30Z) is the same slot and must not run again.
      expect(next('2026-10-25T01:15:00Z')).toBe('2026-10-26T01:30:00.000Z');
      expect(next('2026-10-25T00:40:00Z')).toBe('2026-10-26T01:30:00.000Z');
    });

    it('keeps both repeated hours for an expression that fires every hour', () => {
      expect(next('2026-10-25T00:10:00Z', schedule('0 * * * *'))).toBe('2026-10-25T01:00:00.000Z');
    });
  });

  describe('several schedules', () => {
    it('takes the earliest, the interval here', () => {
      const lastRun = at('2026-01-09T20:00:00Z');
      const due = nextDueAt(
        [schedule('0 30 2 * * *'), schedule('5h')],
        lastRun,
        at('2026-01-09T21:00:00Z'),
        'UTC',
      );
      expect(iso(due)).toBe('2026-01-10T01:00:00.000Z');
    });

    it('takes the earliest, the cron expression here', () => {
      const lastRun = at('2026-01-09T23:00:00Z');
      const due = nextDueAt(
        [schedule('1d'), schedule('0 30 2 * * *')],
        lastRun,
        at('2026-01-10T00:00:00Z'),
        'UTC',
      );
      expect(iso(due)).toBe('2026-01-10T02:30:00.000Z');
    });

    it('compares times as numbers (9 s before 10 s, unlike the strings)', () => {
      const interval = (everyMs: number): Schedule => ({ kind: 'interval', everyMs, source: '' });
      expect(nextDueAt([interval(10_000), interval(9_000)], 0, 1_000)).toBe(9_000);
    });

    it('is null without schedules', () => {
      expect(nextDueAt([], null, now)).toBeNull();
    });
  });
});

describe('nextCronOccurrence', () => {
  it('is null for an expression that cron-parser cannot satisfy', () => {
    expect(nextCronOccurrence('0 0 30 2 *', 0, 'UTC')).toBeNull();
  });
});
