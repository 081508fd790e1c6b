import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullSnapshotIdFromCache } from './snapshot-id-from-cache';

const id = (prefix: string, fill: string) => prefix + fill.repeat(64 - prefix.length);

describe('fullSnapshotIdFromCache', () => {
  let cache: string;
  const since = Date.now() - 60_000;

  const cached = (repository: string, full: string, writtenAt = Date.now()) => {
    const folder = join(cache, repository, 'snapshots', full.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, full), '');
    utimesSync(join(folder, full), writtenAt / 1000, writtenAt / 1000);
  };

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'hen-cache-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('finds the one snapshot written since the backup started, in any repository', () => {
    cached('repo-a', id('c0ff68ed', 'a'));
    cached('repo-b', id('c0ff0000', 'b'));
    expect(fullSnapshotIdFromCache(cache, 'c0ff68ed', since)).toBe(id('c0ff68ed', 'a'));
  });

  it('ignores an older snapshot with the same prefix', () => {
    cached('repo-a', id('c0ff68ed', 'a'), since - 3_600_000);
    expect(fullSnapshotIdFromCache(cache, 'c0ff68ed', since)).toBeNull();
  });

  it('gives up when two match, when nothing matches, and without a cache', () => {
    cached('repo-a', id('c0ff68ed', 'a'));
    cached('repo-b', id('c0ff68ed', 'b'));
    expect(fullSnapshotIdFromCache(cache, 'c0ff68ed', since)).toBeNull();
    expect(fullSnapshotIdFromCache(cache, 'deadbeef', since)).toBeNull();
    expect(fullSnapshotIdFromCache(join(cache, 'none'), 'c0ff68ed', since)).toBeNull();
  });

  it('takes no path from an id that is not hex', () => {
    expect(fullSnapshotIdFromCache(cache, '../../etc', since)).toBeNull();
  });
});
