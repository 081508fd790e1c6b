/**
 * FileWatcher on real temp folders with the real chokidar; the Clock is fake so that the polls
 * for missing paths happen when the test says. The burst-level behaviour is in
 * test/integration/watch-trigger.test.ts.
 */
import { Logger } from '@nestjs/common';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../test/support/wait-for';
import { TempDirs } from '../../test/support/temp-dir';
import { FakeClock } from '../../test/support/fake-clock';
import { FileWatcher, PRESENCE_POLL_MS } from './file-watcher';

/** Lets the presence probe (an lstat) finish after the fake clock fired it. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('FileWatcher', () => {
  const temp = new TempDirs();
  let root: string;
  let clock: FakeClock;
  let changes: string[];
  let warnings: unknown[];
  let close: (() => Promise<void>) | null;

  async function startWatching(paths: string[], ignore = (_path: string) => false): Promise<void> {
    await new Promise<void>((resolve) => {
      close = new FileWatcher(clock).watch(paths, {
        ignore,
        onChange: (path) => changes.push(path),
        onError: (error) => {
          throw error;
        },
        onReady: resolve,
      });
    });
  }

  /** Writes to `file` every 100 ms until the watcher reports it: a watcher may need a moment. */
  async function writeUntilSeen(file: string): Promise<void> {
    await waitFor(
      async () => {
        await appendFile(file, 'x');
        return changes.includes(file);
      },
      `a change of ${file}`,
      10_000,
    );
  }

  beforeEach(async () => {
    root = await temp.make('hen-watcher-');
    clock = new FakeClock();
    changes = [];
    warnings = [];
    close = null;
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((entry: unknown) => {
      warnings.push(entry);
    });
  });

  afterEach(async () => {
    await close?.();
    jest.restoreAllMocks();
    await temp.cleanup();
  });

  it('reports changes after the initial scan, not the files already there', async () => {
    await mkdir(join(root, 'sub'));
    await writeFile(join(root, 'sub', 'old.txt'), 'old');
    await startWatching([root]);
    const file = join(root, 'sub', 'new.txt');
    await writeFile(file, 'new');
    await waitFor(() => changes.includes(file), 'the new file');
    expect(changes.some((path) => path.endsWith('old.txt'))).toBe(false);
  });

  it('drops ignored paths and does not descend into ignored folders', async () => {
    await mkdir(join(root, 'skip'));
    await startWatching([root], (path) => path.endsWith('.tmp') || path.endsWith('/skip'));
    await writeFile(join(root, 'a.tmp'), 'x');
    await writeFile(join(root, 'skip', 'inside.txt'), 'x');
    await writeFile(join(root, 'b.txt'), 'x');
    await waitFor(() => changes.includes(join(root, 'b.txt')), 'b.txt');
    expect(changes.filter((path) => path.endsWith('.tmp') || path.includes('/skip'))).toEqual([]);
  });

  it('watches a single file given as a path', async () => {
    const file = join(root, 'single.txt');
    await writeFile(file, 'a');
    await startWatching([file]);
    await writeUntilSeen(file);
  });

  it('waits for a missing path to appear, then watches it', async () => {
    const later = join(root, 'later', 'deep');
    await startWatching([later]);
    expect(warnings).toContainEqual(expect.objectContaining({ path: later }));
    await mkdir(later, { recursive: true });
    clock.advance(PRESENCE_POLL_MS);
    await waitFor(() => changes.includes(later), 'the appearance');
    await writeUntilSeen(join(later, 'file.txt'));
  });

  it('reports a watched folder that is deleted, and watches it again when it is back', async () => {
    const watched = join(root, 'watched');
    await mkdir(watched);
    await startWatching([watched]);
    await rm(watched, { recursive: true });
    clock.advance(PRESENCE_POLL_MS);
    await settle();
    await waitFor(() => changes.includes(watched), 'the disappearance');
    await mkdir(watched);
    changes = [];
    clock.advance(PRESENCE_POLL_MS);
    await waitFor(() => changes.includes(watched), 'the reappearance');
    await writeUntilSeen(join(watched, 'again.txt'));
  });

  it('reports nothing once closed', async () => {
    await startWatching([root]);
    await close!();
    close = null;
    await writeFile(join(root, 'after.txt'), 'x');
    clock.advance(PRESENCE_POLL_MS * 3);
    await settle();
    expect(changes).toEqual([]);
  });

  it('is ready at once without paths', async () => {
    await startWatching([]);
    expect(changes).toEqual([]);
  });
});
