import type { ListedEntry } from './listed-entry';
import { FolderRunCache } from './folder-run-cache';

const folder = (entries: number) => ({
  snapshotId: 'f'.repeat(64),
  children: Array.from({ length: entries }, (_, i): ListedEntry => ({
    name: `e${i}`,
    type: 'file',
    size: 1,
    mtime: '',
    mode: 0o644,
  })),
});

describe('FolderRunCache', () => {
  it('keeps folders up to its folder bound, least recently used out first', () => {
    const cache = new FolderRunCache({ maxFolders: 2, maxEntries: 100 });
    cache.keep('a', folder(1));
    cache.keep('b', folder(1));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.keep('c', folder(1));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([
      true,
      false,
      true,
    ]);
    expect(cache.size).toEqual({ folders: 2, entries: 2 });
  });

  it('keeps at most its entry bound over all folders, and never a folder above it', () => {
    const cache = new FolderRunCache({ maxFolders: 16, maxEntries: 10 });
    cache.keep('a', folder(4));
    cache.keep('b', folder(4));
    cache.keep('c', folder(4)); // 12 > 10: a goes
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([
      false,
      true,
      true,
    ]);
    cache.keep('huge', folder(11));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toEqual({ folders: 2, entries: 8 });
    // kept again under the same key: counted once
    cache.keep('b', folder(2));
    expect(cache.size).toEqual({ folders: 2, entries: 6 });
    cache.keep('b', folder(11));
    expect(cache.size).toEqual({ folders: 1, entries: 4 });
  });
});
