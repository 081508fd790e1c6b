import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/** After writes, how long at least between two checkpoints asked of the worker. */
export const CHECKPOINT_EVERY_MS = 1000;
/** SQLite's own threshold, used again when the worker is gone or falls behind. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * Frames the WAL holds before the worker checkpoints after writes (SQLite's own threshold, about
 * 4 MB). The write that starts the WAL over after a checkpoint writes its new header and waits
 * for the disk to have it (SQLite's fsync of the WAL on restart, needed so that a crash cannot
 * mix two generations of the WAL), and that write is the daemon's, on the event loop. On a disk
 * kept busy by another process (a backup to a local repository) that fsync took 24–147 ms in a
 * probe, nearly every commit over 50 ms was one of them, and with a checkpoint every second
 * after writes the WAL started over about once a second. Checkpointed by size it starts over
 * once every 1000 frames: during a backup, every minute or two.
 */
export const CHECKPOINT_FRAMES = SQLITE_AUTOCHECKPOINT_PAGES;
/**
 * Frames in the WAL (about 16 MB) past which the daemon's connection checkpoints by itself
 * again, until the WAL has started over: the worker's checkpoints run beside the writes, and a
 * writer that never pauses leaves each one behind, so that the WAL would never start over.
 */
export const WAL_FALLBACK_FRAMES = 4 * SQLITE_AUTOCHECKPOINT_PAGES;
/**
 * When a write starts the WAL over after a checkpoint, SQLite cuts the file back to what that
 * write needs: the next writes need new space on the disk, as they did when SQLite checkpointed
 * only every 1000 pages, so a full disk is noticed within a write or two (DISK_FULL,
 * /health/ready); and a WAL that a long series of writes made large does not stay that large.
 */
const WAL_SIZE_LIMIT_BYTES = 0;

/** `PRAGMA wal_checkpoint`'s answer: whether it was blocked, frames in the WAL, frames copied. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface WalCheckpointerEvents {
  /** Each checkpoint the worker ran. */
  checkpointed?: (result: CheckpointResult) => void;
  /** A checkpoint asked for after writes and not run: the WAL held this many frames, too few. */
  skipped?: (frames: number) => void;
  /** A checkpoint that failed (told once until one works again), or the worker gone. */
  problem: (message: string) => void;
}

/** The worker's answer to a checkpoint asked of it. */
interface WorkerAnswer {
  result?: CheckpointResult;
  failed?: string;
  skipped?: number;
}

const WORKER_SOURCE = `
  const { realpathSync, statSync } = require('node:fs');
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.module);
  const db = new Database(workerData.file, { fileMustExist: true });
  // a WAL file is a 32-byte header, then frames of a page and a 24-byte frame header each
  const frameBytes = db.pragma('page_size', { simple: true }) + 24;
  // SQLite keeps the WAL beside the file a symbolic link points to
  const walFile = realpathSync(workerData.file) + '-wal';
  const framesInWal = () => {
    try {
      return Math.max(0, Math.floor((statSync(walFile).size - 32) / frameBytes));
    } catch {
      // the WAL exists while the daemon's connection is open: without its size, checkpoint
      return Infinity;
    }
  };
  parentPort.on('message', (message) => {
    if (message === 'stop') {
      // closed before the daemon's: the last connection to close copies what is left and
      // removes the WAL
      db.close();
      parentPort.close();
      return;
    }
    try {
      // after writes: the WAL is cut back to what it holds each time it starts over
      // (journal_size_limit 0), so its size tells the frames written since
      if (message === 'checkpoint-when-full') {
        const frames = framesInWal();
        if (frames < workerData.minFrames) return parentPort.postMessage({ skipped: frames });
      }
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ result });
    } catch (error) {
      parentPort.postMessage({ failed: String((error && error.message) || error) });
    }
  });`;

/**
 * Checkpoints the state database's WAL from a worker thread with a connection of its own.
 *
 * SQLite checkpoints by itself inside the commit that takes the WAL past 1000 pages: that commit
 * copies about 4 MB into the database file and waits for its fsync. In the daemon the committer
 * is the event loop, so every job, query and subscriber waited: 15–85 ms a time, one step of
 * history retention in ten over 300,000 jobs (5 ms steps otherwise). Here the daemon's
 * connection does not checkpoint (wal_autocheckpoint 0); after writes it asks the worker, at
 * most once every CHECKPOINT_EVERY_MS, for a PASSIVE checkpoint once the WAL holds
 * CHECKPOINT_FRAMES, which runs beside the daemon's reads and writes without blocking them. SQLite's own checkpoints come back while the worker's fail
 * or fall behind (WAL_FALLBACK_FRAMES), and for good when the worker stops: the WAL never grows
 * without bound. A long read (the start-up integrity check) holds every checkpoint back, the
 * daemon's own included; what writes much (history retention) waits for it to end.
 */
export class WalCheckpointer {
  private worker?: Worker;
  /** One per checkpoint asked for and not answered yet, oldest first: who waits for it, if anyone. */
  private readonly asked: (((result: CheckpointResult | null) => void) | undefined)[] = [];
  private lastAsked = -Infinity;
  private failing = false;
  /** Whether the daemon's connection checkpoints by itself: SQLite's default, until start(). */
  private onCommit = true;
  private stopping = false;

  constructor(
    private readonly db: Database.Database,
    private readonly events: WalCheckpointerEvents,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  start(): void {
    if (this.worker) return;
    this.stopping = false;
    this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: this.db.name,
        module: require.resolve('better-sqlite3'),
        minFrames: CHECKPOINT_FRAMES,
      },
    });
    // a daemon (or a test) that ends without stopping it is not kept alive by it
    worker.unref();
    this.worker = worker;
    this.checkpointOnCommit(false);
    worker.on('message', (message: WorkerAnswer) => this.answered(message));
    worker.once('error', (error) =>
      this.lost(worker, `the checkpoint worker failed: ${error.message}`),
    );
    worker.once('exit', (code) =>
      this.lost(worker, `the checkpoint worker stopped (exit ${code})`),
    );
  }

  /**
   * After a write: asks for a checkpoint unless one was asked for less than a second ago; the
   * worker runs it once the WAL holds CHECKPOINT_FRAMES (at once while SQLite checkpoints on
   * commit). What the WAL holds below that waits there for later writes (or the close): no
   * checkpoint comes by itself after a burst, which would let the next write start the WAL over
   * and cut the file back, which on a full disk frees space and lets writes through again, so
   * that a full disk would come and go (the disk-full e2e test saw it).
   */
  wrote(): void {
    if (!this.worker) return;
    const now = this.now();
    if (now - this.lastAsked < CHECKPOINT_EVERY_MS) return;
    this.lastAsked = now;
    // while SQLite checkpoints on commit (the worker failed or fell behind) the WAL stays under
    // CHECKPOINT_FRAMES: only a checkpoint run anyway can tell that the worker is back
    this.ask(undefined, this.onCommit ? 'checkpoint' : 'checkpoint-when-full');
  }

  /**
   * A checkpoint now, resolved when it is done (null when it failed or no worker runs). For a
   * long series of writes: the WAL can only start over once a checkpoint has caught up with it,
   * so a writer that never pauses waits for one now and then, or the WAL grows all along.
   */
  checkpoint(): Promise<CheckpointResult | null> {
    if (!this.worker) return Promise.resolve(null);
    return new Promise((resolve) => this.ask(resolve, 'checkpoint'));
  }

  /** Closes the worker's connection (it checkpoints what is left) and waits for it to end. */
  async stop(timeoutMs = 5000): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const timer = setTimeout(() => void worker.terminate(), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private ask(
    answer: ((result: CheckpointResult | null) => void) | undefined,
    message: 'checkpoint' | 'checkpoint-when-full',
  ): void {
    this.asked.push(answer);
    this.worker?.postMessage(message);
  }

  private answered({ result, failed, skipped }: WorkerAnswer): void {
    this.asked.shift()?.(result ?? null);
    if (skipped !== undefined) {
      this.events.skipped?.(skipped);
      return;
    }
    if (result) {
      this.failing = false;
      // behind: the daemon's commits checkpoint until one lets the WAL start over
      if (result.log > WAL_FALLBACK_FRAMES) this.checkpointOnCommit(true);
      else if (result.log <= SQLITE_AUTOCHECKPOINT_PAGES) this.checkpointOnCommit(false);
      this.events.checkpointed?.(result);
    } else if (failed) {
      this.checkpointOnCommit(true);
      if (!this.failing) {
        this.failing = true;
        this.events.problem(
          `a background checkpoint failed: ${failed}; SQLite checkpoints on commit meanwhile`,
        );
      }
    }
  }

  private checkpointOnCommit(on: boolean): void {
    if (this.onCommit === on || !this.db.open) return;
    this.onCommit = on;
    this.db.pragma(`wal_autocheckpoint = ${on ? SQLITE_AUTOCHECKPOINT_PAGES : 0}`);
  }

  private lost(worker: Worker, message: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const answer of this.asked.splice(0)) answer?.(null);
    if (this.stopping) return;
    this.checkpointOnCommit(true);
    this.events.problem(`${message}; SQLite checkpoints on commit again`);
  }
}
