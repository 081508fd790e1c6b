import type { Schedule } from './config.types';
import { isOverdue, overdueGraceMs, shortestIntervalMs } from './overdue';

const HOUR = 3_600_000;
const every = (ms: number): Schedule => ({ kind: 'interval', everyMs: ms, source: `${ms}ms` });
const cron = (expression: string): Schedule => ({ kind: 'cron', expression, source: expression });
const NOW = Date.parse('2026-03-10T12:00:00.000Z');

describe('shortestIntervalMs', () => {
  it('takes the shortest of intervals and cron gaps', () => {
    expect(shortestIntervalMs([every(24 * HOUR), cron('0 */6 * * *')], NOW, 'UTC')).toBe(6 * HOUR);
    expect(shortestIntervalMs([every(HOUR), cron('30 2 * * *')], NOW, 'UTC')).toBe(HOUR);
    expect(shortestIntervalMs([], NOW)).toBeNull();
  });
});

describe('overdueGraceMs', () => {
  it('is half the interval, at least ten minutes', () => {
    expect(overdueGraceMs(24 * HOUR)).toBe(12 * HOUR);
    expect(overdueGraceMs(5_000)).toBe(10 * 60_000);
  });
});

describe('isOverdue', () => {
  const base = {
    schedules: [every(24 * HOUR)],
    lastSuccessAt: NOW - 10 * HOUR,
    knownSinceAt: NOW - 100 * HOUR,
    nextRunAt: NOW + 14 * HOUR,
    nowMs: NOW,
  };

  it('is false without schedules, whatever the history', () => {
    expect(isOverdue({ ...base, schedules: [], lastSuccessAt: null, nextRunAt: null })).toBe(false);
  });

  it('is false for a recent success and a next run ahead', () => {
    expect(isOverdue(base)).toBe(false);
  });

  it('is true once the last success is older than interval plus grace (36 h for 1d)', () => {
    expect(isOverdue({ ...base, lastSuccessAt: NOW - 35.9 * HOUR })).toBe(false);
    expect(isOverdue({ ...base, lastSuccessAt: NOW - 36.1 * HOUR, nextRunAt: null })).toBe(true);
  });

  it('counts a backup that never succeeded from when the daemon first knew of it', () => {
    expect(isOverdue({ ...base, lastSuccessAt: null, knownSinceAt: NOW - HOUR })).toBe(false);
    expect(isOverdue({ ...base, lastSuccessAt: null, knownSinceAt: NOW - 40 * HOUR })).toBe(true);
  });

  it('is true when the next run is past by more than the grace', () => {
    expect(isOverdue({ ...base, nextRunAt: NOW - 11 * HOUR })).toBe(false);
    expect(isOverdue({ ...base, nextRunAt: NOW - 13 * HOUR })).toBe(true);
  });
});
