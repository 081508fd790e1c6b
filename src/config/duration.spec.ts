import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['6h', 21_600_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1m30s500ms', 90_500],
    ['1.5h', 5_400_000],
    [' 10s ', 10_000],
    ['0s', 0],
  ])('reads %j as %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it('refuses a bare number, saying a unit is needed', () => {
    expect(parseDuration('30')).toBe('"30" needs a unit, like 30s');
    expect(parseDuration(30)).toBe('"30" needs a unit, like 30s');
  });

  it.each(['5x', '1hour', 'h', '-5m', '5m-', '1,5h', '5 m x', 'ms5'])('refuses %j', (input) => {
    expect(parseDuration(input)).toBe(
      `${JSON.stringify(input)} is not a duration (units: ms, s, m, h, d, w)`,
    );
  });

  it('refuses empty strings and values that are not text', () => {
    expect(parseDuration('')).toMatch(/empty string/);
    expect(parseDuration(null)).toMatch(/got nothing/);
    expect(parseDuration(['5m'])).toMatch(/got a list/);
    expect(parseDuration(true)).toMatch(/got a boolean/);
  });

  it('refuses durations beyond what a number holds exactly', () => {
    expect(parseDuration('99999999999999w')).toMatch(/too long/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [90_500, '1m30s500ms'],
    [691_200_000, '1w1d'],
    [-60_000, '-1m'],
  ])('writes %d as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 61_000, 3_723_004, 1_000_000_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
