import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { BuiltSnapshot } from './index-builder';
import type { FromIndexBuild, IndexBuildData, ToIndexBuild } from './index-build-messages';

const YOUNG_GENERATION_MB = 4;
/**
 * Bytes gathered before they go to the thread in one message, or how long the first of them
 * waits at most. restic prints a line at a time, and each message wakes the thread: sending what
 * each read of the pipe gave (about 650 bytes) made the thread spend its time waking up.
 */
const BATCH_BYTES = 64 * 1024;
const BATCH_WAIT_MS = 10;
/** Bytes sent to the thread (or gathered for it) and not yet taken, above which restic's output waits. */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/** The indexing thread failed; `code` is SQLite's when it was SQLite (corruption is rebuilt). */
export class IndexBuildError extends Error {
  constructor(
    name: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** The worker's code: compiled JavaScript in the package, the TypeScript sources under tests. */
function startWorker(data: IndexBuildData): Worker {
  const compiled = !__filename.endsWith('.ts');
  const entry = join(__dirname, `index-build-worker.${compiled ? 'js' : 'ts'}`);
  const options = {
    workerData: { indexBuild: data },
    // the thread makes short-lived garbage at the rate restic prints (a parsed object per line):
    // a small young generation is collected often and cheaply instead of growing the RSS
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  };
  if (compiled) return new Worker(entry, options);
  return new Worker(`require('@swc-node/register'); require(${JSON.stringify(entry)});`, {
    ...options,
    eval: true,
  });
}

/**
 * One snapshot's index build on a worker thread (index-build-worker.ts): `input` takes `restic ls
 * --json` bytes with backpressure (at most IN_FLIGHT_BYTES wait in the thread, so memory stays
 * flat however fast restic writes), `finish` ends the input and gives the built root, `stop`
 * ends the thread at once (what it stored is then reached by nothing, for the garbage collector).
 */
export class IndexBuildThread {
  private readonly worker: Worker;
  private inFlight = 0;
  private waiting: ((error?: Error | null) => void) | undefined;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private flushSoon: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private readonly outcome: Promise<BuiltSnapshot>;
  readonly input: Writable;

  constructor(file: string) {
    this.worker = startWorker({ file });
    this.outcome = new Promise<BuiltSnapshot>((resolve, reject) => {
      this.worker.on('message', (message: FromIndexBuild) => {
        if (message.type === 'taken') {
          this.inFlight -= message.bytes;
          if (this.inFlight < IN_FLIGHT_BYTES) this.release();
        } else if (message.type === 'built') {
          resolve({
            root: Buffer.from(message.root),
            totals: message.totals,
            entryCount: message.entryCount,
            newFolders: message.newFolders,
          });
          void this.worker.terminate();
        } else {
          this.fail(new IndexBuildError(message.name, message.message, message.code), reject);
        }
      });
      this.worker.on('error', (error) => this.fail(error, reject));
      this.worker.on('exit', (code) =>
        this.fail(new IndexBuildError('Error', `the indexing thread ended (exit ${code})`), reject),
      );
    });
    // a failure reaches whoever awaits finish(); until then nobody must see it as unhandled
    this.outcome.catch(() => undefined);
    this.input = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (this.failure) return done(this.failure);
        this.batch.push(chunk);
        this.batchBytes += chunk.byteLength;
        this.inFlight += chunk.byteLength;
        if (this.batchBytes >= BATCH_BYTES) this.send();
        else this.flushSoon ??= setTimeout(() => this.send(), BATCH_WAIT_MS);
        if (this.inFlight < IN_FLIGHT_BYTES) done();
        else this.waiting = done;
      },
      final: (done) => {
        if (!this.failure) {
          this.send();
          this.post({ type: 'end' });
        }
        done(this.failure);
      },
    });
    // a failed input is reported by finish(), through the outcome
    this.input.on('error', () => undefined);
  }

  /**
   * Ends the input; resolves with the snapshot's root once every folder is stored. The end goes
   * to the thread after whatever the input still buffers (Writable's `final`), never before.
   */
  finish(): Promise<BuiltSnapshot> {
    if (!this.failure) this.input.end();
    return this.outcome;
  }

  /** Ends the thread without waiting for it. */
  async stop(): Promise<void> {
    this.failure ??= new IndexBuildError('AbortError', 'indexing was stopped');
    if (this.flushSoon) clearTimeout(this.flushSoon);
    this.batch = [];
    this.release();
    await this.worker.terminate();
  }

  /**
   * Hands the bytes gathered so far to the thread in one message. restic writes a line at a time
   * (about 650 bytes per read from its pipe): a message per read cost more than the parsing.
   */
  private send(): void {
    if (this.flushSoon) clearTimeout(this.flushSoon);
    this.flushSoon = undefined;
    if (this.batchBytes === 0 || this.failure) return;
    // a buffer of its own, handed over without another copy
    const data = new Uint8Array(this.batchBytes);
    let at = 0;
    for (const chunk of this.batch) {
      data.set(chunk, at);
      at += chunk.byteLength;
    }
    this.batch = [];
    this.batchBytes = 0;
    this.post({ type: 'chunk', data }, [data.buffer]);
  }

  private post(message: ToIndexBuild, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(this.failure);
  }

  private fail(error: Error, reject: (error: Error) => void): void {
    this.failure ??= error;
    this.release();
    reject(this.failure);
  }
}
