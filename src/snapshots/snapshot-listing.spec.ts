import type { ResticLsNode } from '../restic/restic.types';
import { ListingCache, SnapshotListing } from './snapshot-listing';

const node = (path: string, type = 'file', size = 1): ResticLsNode => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  path,
  type,
  size: type === 'file' ? size : 0,
  mtime: '2026-01-01T00:00:00Z',
  mode: 0o644,
});

function listingOf(paths: [string, string?][]): SnapshotListing {
  const listing = new SnapshotListing();
  for (const [path, type] of paths) listing.add(node(path, type));
  return listing.finish();
}

describe('SnapshotListing', () => {
  const listing = listingOf([
    ['/home', 'dir'],
    ['/home/me', 'dir'],
    ['/home/me/b.txt'],
    ['/home/me/a.txt'],
    ['/home/me/empty', 'dir'],
    ['/home/me/link', 'symlink'],
    ['/home/me/pipe', 'fifo'],
    ['/home/me/docs', 'dir'],
    ['/home/me/docs/deep.txt'],
  ]);

  it('gives the direct children of a folder, sorted by name', () => {
    expect(listing.children('/')!.map((e) => e.name)).toEqual(['home']);
    expect(listing.children('/home/me')!.map((e) => [e.name, e.type])).toEqual([
      ['a.txt', 'file'],
      ['b.txt', 'file'],
      ['docs', 'dir'],
      ['empty', 'dir'],
      ['link', 'symlink'],
      ['pipe', 'other'],
    ]);
    expect(listing.children('/home/me/empty')).toEqual([]);
    expect(listing.entryCount).toBe(9);
  });

  it('tells a missing folder from a file', () => {
    expect(listing.children('/nowhere')).toBeUndefined();
    expect(listing.isEntry('/home/me/a.txt')).toBe(true);
    expect(listing.isEntry('/nowhere')).toBe(false);
  });

  it('pages with full paths', () => {
    expect(listing.page('/home/me', 1, 2).map((e) => e.path)).toEqual([
      '/home/me/b.txt',
      '/home/me/docs',
    ]);
    expect(listing.page('/home/me', 6, 2)).toEqual([]);
  });
});

describe('SnapshotListing while it loads', () => {
  it('completes, sorted, each folder the depth-first walk has left', async () => {
    const listing = new SnapshotListing();
    const woken: string[] = [];
    void listing.whenComplete('/a').then(() => woken.push('/a'));
    void listing.whenComplete('/a/file').then(() => woken.push('/a/file'));
    for (const [path, type] of [
      ['/a', 'dir'],
      ['/a/z', 'file'],
      ['/a/b', 'dir'],
      ['/a/b/y', 'file'],
      ['/a/b/x', 'file'],
    ] as const) {
      listing.add(node(path, type));
    }
    expect([listing.isComplete('/a'), listing.isComplete('/a/b')]).toEqual([false, false]);
    listing.add(node('/a/c'));
    expect(listing.isComplete('/a/b')).toBe(true);
    expect(listing.children('/a/b')!.map((e) => e.name)).toEqual(['x', 'y']);
    listing.add(node('/c', 'dir'));
    await Promise.resolve();
    expect(woken).toEqual(['/a']);
    expect(listing.children('/a')!.map((e) => e.name)).toEqual(['b', 'c', 'z']);
    expect([listing.isComplete('/'), listing.isComplete('/c')]).toEqual([false, false]);
    listing.finish();
    await Promise.resolve();
    expect(woken).toEqual(['/a', '/a/file']);
    expect(listing.isComplete('/c')).toBe(true);
  });

  it('completes nothing early when nodes come out of walk order', () => {
    const listing = new SnapshotListing();
    listing.add(node('/a', 'dir'));
    listing.add(node('/b', 'dir'));
    listing.add(node('/a/late'));
    expect(listing.isComplete('/a')).toBe(false);
    listing.add(node('/c'));
    expect(listing.isComplete('/b')).toBe(false);
    listing.finish();
    expect(listing.children('/a')!.map((e) => e.name)).toEqual(['late']);
    expect(listing.isComplete('/a')).toBe(true);
  });
});

describe('ListingCache', () => {
  const make = (entries: number) => {
    const listing = new SnapshotListing();
    for (let i = 0; i < entries; i++) listing.add(node(`/f${i}`));
    return listing.finish();
  };

  it('loads once for concurrent and later requests of the same key', async () => {
    const cache = new ListingCache({ maxListings: 2, maxEntries: 100 });
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const load = async () => {
      loads++;
      await gate;
      return make(3);
    };
    const both = Promise.all([cache.get('a', load), cache.get('a', load)]);
    release();
    const [first, second] = await both;
    expect(first).toBe(second);
    expect(await cache.get('a', load)).toBe(first);
    expect(loads).toBe(1);
  });

  it('evicts the least recently used listing beyond the count and entry bounds', async () => {
    const cache = new ListingCache({ maxListings: 2, maxEntries: 10 });
    await cache.get('a', () => Promise.resolve(make(3)));
    await cache.get('b', () => Promise.resolve(make(3)));
    await cache.get('a', () => Promise.resolve(make(3))); // a is now the most recent
    await cache.get('c', () => Promise.resolve(make(3)));
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    await cache.get('d', () => Promise.resolve(make(8))); // 3 + 3 + 8 > 10: both older ones go
    expect([cache.has('a'), cache.has('c'), cache.has('d')]).toEqual([false, false, true]);
    await cache.get('huge', () => Promise.resolve(make(11))); // served, never kept
    expect(cache.has('huge')).toBe(false);
    expect(cache.peek('huge')).toBeUndefined();
    expect(cache.has('d')).toBe(true);
  });

  it('does not keep a failed load', async () => {
    const cache = new ListingCache({ maxListings: 2, maxEntries: 10 });
    await expect(cache.get('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('a', () => Promise.resolve(make(1)))).toBeInstanceOf(SnapshotListing);
    expect(cache.size).toBe(1);
  });
});
