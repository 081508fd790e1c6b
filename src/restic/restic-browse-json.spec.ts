import { toLsNode, toRestoreProgress, unixMode } from './restic-browse-json';

describe('restic browse JSON', () => {
  it('turns Go file modes into unix permission bits', () => {
    expect(unixMode(2147484141)).toBe(0o755); // a folder, drwxr-xr-x
    expect(unixMode(420)).toBe(0o644);
    expect(unixMode(2148532735)).toBe(0o1777); // /tmp: sticky
    expect(unixMode((1 << 23) | 0o755)).toBe(0o4755);
  });

  it('reads node lines of restic 0.14 and newer, and skips the snapshot line', () => {
    const line = {
      name: 'a.txt',
      type: 'file',
      path: '/home/a.txt',
      size: 12,
      mode: 420,
      mtime: '2026-01-01T00:00:00Z',
    };
    expect(toLsNode({ ...line, struct_type: 'node' })).toEqual({
      name: 'a.txt',
      type: 'file',
      path: '/home/a.txt',
      size: 12,
      mtime: '2026-01-01T00:00:00Z',
      mode: 0o644,
    });
    expect(toLsNode({ ...line, message_type: 'node' })?.size).toBe(12);
    expect(toLsNode({ struct_type: 'snapshot', id: 'x', paths: ['/home'] })).toBeUndefined();
    expect(toLsNode({ name: 'd', type: 'dir', path: '/d', struct_type: 'node' })?.size).toBe(0);
  });

  it('reads restore status of restic 0.16+, computing the percent when it is absent', () => {
    expect(
      toRestoreProgress({
        message_type: 'status',
        seconds_elapsed: 3,
        percent_done: 0.5,
        total_files: 10,
        files_restored: 5,
        total_bytes: 2000,
        bytes_restored: 1000,
      }),
    ).toEqual({
      percentDone: 0.5,
      filesRestored: 5,
      totalFiles: 10,
      bytesRestored: 1000,
      totalBytes: 2000,
      secondsElapsed: 3,
    });
    expect(
      toRestoreProgress({ message_type: 'summary', total_bytes: 400, bytes_restored: 100 })
        .percentDone,
    ).toBe(0.25);
  });
});
