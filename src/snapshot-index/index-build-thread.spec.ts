import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IndexBuildThread } from './index-build-thread';
import { SnapshotIndexStore } from './snapshot-index-store';

const line = (path: string, type: string) =>
  `${JSON.stringify({
    struct_type: 'node',
    name: path.slice(path.lastIndexOf('/') + 1),
    type,
    path,
    size: type === 'file' ? 10 : 0,
    mtime: '2026-01-01T00:00:00Z',
    mode: 420,
  })}\n`;

describe('IndexBuildThread', () => {
  let dir: string;
  let store: SnapshotIndexStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-index-thread-'));
    store = new SnapshotIndexStore(join(dir, 'index.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds from bytes cut anywhere, lines split across chunks, and stores every folder', async () => {
    const text =
      JSON.stringify({ struct_type: 'snapshot', id: 'a'.repeat(64) }) +
      '\n' +
      line('/data', 'dir') +
      Array.from({ length: 500 }, (_, i) => line(`/data/f${i}.txt`, 'file')).join('') +
      line('/data/sub', 'dir') +
      line('/data/sub/é.txt', 'file');
    const bytes = Buffer.from(text);
    const thread = new IndexBuildThread(store.file);
    // 7-byte pieces: lines, and the two bytes of "é", are split between chunks
    for (let at = 0; at < bytes.length; at += 7) thread.input.write(bytes.subarray(at, at + 7));
    const built = await thread.finish();
    expect(built).toMatchObject({ entryCount: 503, newFolders: 3 });
    expect(built.totals).toEqual({ totalSize: 5010, fileCount: 501, entryCount: 1 });
    const data = store.entry(built.root, 'data')!;
    expect(store.folder(data.child!)).toEqual({ totalSize: 5010, fileCount: 501, entryCount: 501 });
    expect(store.entry(store.entry(data.child!, 'sub')!.child!, 'é.txt')).toMatchObject({
      size: 10,
    });
  });

  it('fails with the builder’s error when the listing is not depth first', async () => {
    const thread = new IndexBuildThread(store.file);
    thread.input.write(line('/a', 'dir') + line('/b/c.txt', 'file'));
    await expect(thread.finish()).rejects.toMatchObject({ name: 'ListingOrderError' });
  });

  it('stops at once when told to', async () => {
    const thread = new IndexBuildThread(store.file);
    thread.input.write(line('/a', 'dir'));
    await thread.stop();
    await expect(thread.finish()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
