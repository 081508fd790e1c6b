import { parseSchedule } from './schedule';

describe('parseSchedule', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['5h', 18_000_000],
    ['5d', 432_000_000],
    ['5w', 3_024_000_000],
    ['1h30m', 5_400_000],
  ])('reads the interval %j', (source, everyMs) => {
    expect(parseSchedule(source)).toEqual({ kind: 'interval', everyMs, source });
  });

  it('reads 5-field cron expressions', () => {
    expect(parseSchedule('*/15 * * * *')).toEqual({
      kind: 'cron',
      expression: '*/15 * * * *',
      source: '*/15 * * * *',
    });
  });

  it('reads 6-field cron expressions (seconds first) and tidies the spacing', () => {
    expect(parseSchedule(' 0  30 2 * * * ')).toEqual({
      kind: 'cron',
      expression: '0 30 2 * * *',
      source: ' 0  30 2 * * * ',
    });
  });

  it('accepts names of days and months', () => {
    expect(parseSchedule('0 3 * JAN-MAR MON-FRI')).toMatchObject({ kind: 'cron' });
  });

  it('refuses what is neither, in the documented words', () => {
    expect(parseSchedule('5x')).toBe('"5x" is not a duration or cron expression');
    expect(parseSchedule('@daily')).toBe('"@daily" is not a duration or cron expression');
  });

  it('explains a bare number lacks its unit', () => {
    expect(parseSchedule('30')).toBe(
      '"30" is not a duration or cron expression: "30" needs a unit, like 30s',
    );
    expect(parseSchedule(30)).toMatch(/^"30" is not a duration or cron expression: .*needs a unit/);
  });

  it('refuses cron expressions with the wrong number of fields', () => {
    expect(parseSchedule('* * * *')).toMatch(
      /cron takes 5 fields, or 6 with seconds first \(got 4\)/,
    );
    expect(parseSchedule('* * * * * * *')).toMatch(/got 7/);
  });

  it('refuses cron fields out of range, with the reason', () => {
    const message = parseSchedule('61 * * * *');
    expect(message).toMatch(/^"61 \* \* \* \*" is not a duration or cron expression: /);
    expect(message).toMatch(/61/);
    expect(typeof parseSchedule('0 0 32 * *')).toBe('string');
    expect(typeof parseSchedule('0 0 * * 8')).toBe('string');
  });

  it('refuses intervals under a second', () => {
    expect(parseSchedule('500ms')).toMatch(/too short/);
    expect(parseSchedule('0s')).toMatch(/too short/);
    expect(parseSchedule('1s')).toEqual({ kind: 'interval', everyMs: 1000, source: '1s' });
  });

  it('refuses values that are not text', () => {
    expect(parseSchedule(null)).toBe('expected a duration or cron expression, got nothing');
    expect(parseSchedule({ every: '5m' })).toMatch(/got a mapping/);
  });
});
