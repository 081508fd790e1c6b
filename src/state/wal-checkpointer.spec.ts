import Database from 'better-sqlite3';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { StateDatabase } from './state-database';
import {
  CHECKPOINT_FRAMES,
  type CheckpointResult,
  WAL_FALLBACK_FRAMES,
  WalCheckpointer,
} from './wal-checkpointer';

const MiB = 1024 * 1024;

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 1000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('WalCheckpointer (WAL checkpoints in a worker thread)', () => {
  let dir: string;
  let db: Database.Database;
  let results: CheckpointResult[];
  /** the frames in the WAL at each checkpoint asked after writes and not run */
  let skipped: number[];
  let problems: string[];
  let clock: number;
  let checkpointer: WalCheckpointer;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-checkpoints-'));
    db = new Database(join(dir, 'state.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    results = [];
    skipped = [];
    problems = [];
    clock = 0;
    checkpointer = new WalCheckpointer(
      db,
      {
        checkpointed: (r) => results.push(r),
        skipped: (frames) => skipped.push(frames),
        problem: (m) => problems.push(m),
      },
      () => clock,
    );
  });
  afterEach(async () => {
    await checkpointer.stop();
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (bytes: number) => {
    const statement = db.prepare('INSERT INTO blobs (data) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < bytes / (64 * 1024); i++) statement.run(Buffer.alloc(64 * 1024, i));
    })();
  };
  const walBytes = () => statSync(join(dir, 'state.db-wal')).size;

  it('turns SQLite’s checkpoints on commit off, and the worker keeps the WAL bounded instead', async () => {
    checkpointer.start();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    for (let round = 1; round <= 10; round++) {
      insert(4 * MiB);
      clock += 1000;
      checkpointer.wrote();
      await waitUntil(() => results.length === round, `checkpoint ${round}`);
    }
    // each checkpoint copied the whole WAL (no reader held it back)
    for (const r of results) expect(r).toMatchObject({ busy: 0, checkpointed: r.log });
    expect(results.every((r) => r.log > 1000)).toBe(true);
    // 40 MiB went through a WAL that was reused after each checkpoint: never more than a round
    // and a bit (without the worker's checkpoints it would hold all 40)
    expect(walBytes()).toBeLessThan(6 * MiB);
    expect(db.prepare('SELECT COUNT(*) AS n FROM blobs').get()).toEqual({ n: 640 });
    expect(problems).toEqual([]);
  });

  it('asks at most once a second, however many writes', async () => {
    checkpointer.start();
    insert(MiB);
    checkpointer.wrote();
    clock += 999;
    checkpointer.wrote();
    checkpointer.wrote();
    const answers = () => results.length + skipped.length;
    await waitUntil(() => answers() === 1, 'the first answer');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answers()).toBe(1);
    clock += 1;
    checkpointer.wrote();
    await waitUntil(() => answers() === 2, 'the second answer');
  });

  it('checkpoints after writes once the WAL holds 1000 frames, so that it starts over that seldom', async () => {
    checkpointer.start();
    // small commits a second apart, as a running job's progress: 16 frames each
    const frames = () => Math.floor((walBytes() - 32) / (4096 + 24));
    const sizes: number[] = [];
    for (let second = 1; results.length === 0; second++) {
      if (second > 100) throw new Error('no checkpoint after 100 seconds of writes');
      insert(64 * 1024);
      sizes.push(frames());
      clock += 1000;
      checkpointer.wrote();
      await waitUntil(() => results.length + skipped.length === second, `answer ${second}`);
    }
    // every second asked, but the WAL grew, never started over, until it held enough
    expect(sizes.every((size, i) => i === 0 || size > sizes[i - 1])).toBe(true);
    expect(skipped.every((n) => n < CHECKPOINT_FRAMES)).toBe(true);
    expect(skipped.length).toBeGreaterThan(50);
    expect(results[0]).toMatchObject({ busy: 0, checkpointed: results[0].log });
    expect(results[0].log).toBeGreaterThanOrEqual(CHECKPOINT_FRAMES);
    // the next commit starts the WAL over, cut back to what it writes
    insert(64 * 1024);
    expect(frames()).toBeLessThan(20);
    expect(problems).toEqual([]);
  });

  it('lets the daemon’s commits checkpoint while the WAL outgrows the worker’s checkpoints', async () => {
    checkpointer.start();
    // a writer that never let a checkpoint catch up: 5,000 frames and more
    insert(20 * MiB);
    const behind = await checkpointer.checkpoint();
    expect(behind!.log).toBeGreaterThan(WAL_FALLBACK_FRAMES);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // the next commits checkpoint and start the WAL over; then the worker alone again
    insert(64 * 1024);
    insert(64 * 1024);
    const caughtUp = await checkpointer.checkpoint();
    expect(caughtUp!.log).toBeLessThanOrEqual(1000);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(problems).toEqual([]);
  });

  it('after falling behind, checkpoints after writes again until the WAL is small, then by size', async () => {
    checkpointer.start();
    insert(20 * MiB);
    clock += 1000;
    checkpointer.wrote();
    await waitUntil(() => results.length === 1, 'the checkpoint of the large WAL');
    expect(results[0].log).toBeGreaterThan(WAL_FALLBACK_FRAMES);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // SQLite's checkpoints on commit start the WAL over; a small one is not skipped meanwhile
    insert(64 * 1024);
    insert(64 * 1024);
    clock += 1000;
    checkpointer.wrote();
    await waitUntil(() => results.length === 2, 'a checkpoint of the small WAL');
    expect(results[1].log).toBeLessThanOrEqual(1000);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // and by size again
    insert(64 * 1024);
    clock += 1000;
    checkpointer.wrote();
    await waitUntil(() => skipped.length === 1, 'a skipped checkpoint');
    expect(results).toHaveLength(2);
    expect(problems).toEqual([]);
  });

  it('finds the WAL beside the file a symbolic link to the database points to', async () => {
    await checkpointer.stop();
    db.close();
    mkdirSync(join(dir, 'elsewhere'));
    renameSync(join(dir, 'state.db'), join(dir, 'elsewhere', 'state.db'));
    symlinkSync(join(dir, 'elsewhere', 'state.db'), join(dir, 'state.db'));
    db = new Database(join(dir, 'state.db'));
    db.pragma('journal_mode = WAL');
    checkpointer = new WalCheckpointer(
      db,
      {
        checkpointed: (r) => results.push(r),
        skipped: (n) => skipped.push(n),
        problem: () => undefined,
      },
      () => clock,
    );
    checkpointer.start();
    insert(5 * MiB);
    expect(existsSync(join(dir, 'elsewhere', 'state.db-wal'))).toBe(true);
    clock += 1000;
    checkpointer.wrote();
    await waitUntil(() => results.length + skipped.length === 1, 'the answer');
    expect(skipped).toEqual([]);
    expect(results[0].log).toBeGreaterThanOrEqual(CHECKPOINT_FRAMES);
  });

  it('turns SQLite’s own checkpoints back on when the worker is gone, and says so', async () => {
    checkpointer.start();
    // the worker dying unasked, as an out-of-memory or a crash in it would
    await (checkpointer as unknown as { worker: Worker }).worker.terminate();
    await waitUntil(() => problems.length === 1, 'the problem');
    expect(problems[0]).toMatch(/checkpoint worker stopped .*SQLite checkpoints on commit again/);
    expect(checkpointer.running).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('stops quietly: the worker closes first, so the daemon’s connection removes the WAL', async () => {
    const database = new StateDatabase({ dataDir: join(dir, 'daemon') });
    database.onApplicationBootstrap();
    expect(database.checkpoints.running).toBe(true);
    database.write(() => database.db.pragma('user_version = 99'));
    await database.onApplicationShutdown();
    expect(database.db.open).toBe(false);
    expect(existsSync(join(dir, 'daemon', 'state.db-wal'))).toBe(false);
    expect(existsSync(join(dir, 'daemon', 'state.db'))).toBe(true);
  });
});
