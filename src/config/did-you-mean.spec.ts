import { didYouMean } from './did-you-mean';

const BACKUP_KEYS = ['paths', 'excludes', 'repositories', 'schedules', 'watch', 'priority'];

describe('didYouMean', () => {
  it.each([
    ['exclude', 'excludes'],
    ['path', 'paths'],
    ['schedule', 'schedules'],
    ['repositores', 'repositories'],
    ['prioirty', 'priority'],
    ['Watch', 'watch'],
  ])('suggests %s → %s', (input, expected) => {
    expect(didYouMean(input, BACKUP_KEYS)).toBe(expected);
  });

  it('ignores case, dashes and underscores', () => {
    expect(didYouMean('password_file', ['password', 'passwordFile'])).toBe('passwordFile');
    expect(didYouMean('max-duration', ['maxDuration'])).toBe('maxDuration');
  });

  it('suggests nothing for a key unlike any known one', () => {
    expect(didYouMean('colour', BACKUP_KEYS)).toBeUndefined();
    expect(didYouMean('x', ['min', 'max'])).toBeUndefined();
    expect(didYouMean('anything', [])).toBeUndefined();
  });
});
