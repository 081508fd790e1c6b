import {
  InvalidPathError,
  isInside,
  normaliseBrowsePath,
  normaliseRestoreTarget,
  normaliseSnapshotId,
  parentOf,
} from './snapshot-paths';

describe('snapshot paths', () => {
  it.each([
    [undefined, '/'],
    [null, '/'],
    ['', '/'],
    ['/', '/'],
    ['/home/me/', '/home/me'],
    ['//home///me/./docs', '/home/me/docs'],
    ['/a/./b/.', '/a/b'],
    ['/with space/ünïcode', '/with space/ünïcode'],
    ['/a..b/c..', '/a..b/c..'],
  ])('normalises the browse path %p to %p', (input, expected) => {
    expect(normaliseBrowsePath(input)).toBe(expected);
  });

  it.each([
    'relative/path',
    '../etc',
    '/home/../etc',
    '/..',
    '/a/b/..',
    'a\0b',
    `/${'x'.repeat(5000)}`,
  ])('refuses the browse path %p', (input) => {
    expect(() => normaliseBrowsePath(input)).toThrow(InvalidPathError);
  });

  it('normalises restore targets and refuses relative ones or .. segments', () => {
    expect(normaliseRestoreTarget('/srv/restore//today/')).toBe('/srv/restore/today');
    expect(() => normaliseRestoreTarget('srv/restore')).toThrow(/absolute/);
    expect(() => normaliseRestoreTarget('/srv/restore/../../etc')).toThrow(/\.\./);
    expect(() => normaliseRestoreTarget('/srv/\0')).toThrow(InvalidPathError);
  });

  it('tells whether a path is inside a folder, by whole segments', () => {
    expect(isInside('/srv/restore', '/srv/restore')).toBe(true);
    expect(isInside('/srv/restore/a', '/srv/restore')).toBe(true);
    expect(isInside('/srv/restore-other', '/srv/restore')).toBe(false);
    expect(isInside('/srv', '/srv/restore')).toBe(false);
    expect(isInside('/anything', '/')).toBe(true);
  });

  it('accepts 8 to 64 hex characters as a snapshot id, lower-cased', () => {
    expect(normaliseSnapshotId('ABCDEF12')).toBe('abcdef12');
    expect(normaliseSnapshotId('a'.repeat(64))).toBe('a'.repeat(64));
    for (const bad of ['abcdef1', 'a'.repeat(65), 'latest', 'abcdefgh', '--target=x']) {
      expect(() => normaliseSnapshotId(bad)).toThrow(/8 to 64 hexadecimal/);
    }
  });

  it('finds the parent folder', () => {
    expect(parentOf('/a')).toBe('/');
    expect(parentOf('/a/b/c')).toBe('/a/b');
  });
});
