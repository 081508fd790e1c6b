import type { Clock } from '../../common/clock';

/**
 * One signal for one hook attempt: it fires when the job is stopped or when the hook's own
 * timeout passes, and remembers which, so a timeout is reported as the hook's failure while a
 * cancel is left to the job runner. Dispose it when the attempt ends, or the job's signal keeps
 * a listener per attempt.
 */
export class HookDeadline {
  private readonly controller = new AbortController();
  private expired = false;
  private readonly cancelTimer: () => void;
  private readonly onJobAbort = () => this.controller.abort(this.job.reason);

  constructor(
    clock: Clock,
    private readonly job: AbortSignal,
    readonly timeoutMs: number,
  ) {
    this.cancelTimer = clock.setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error(`timed out after ${formatDuration(timeoutMs)}`));
    }, timeoutMs);
    if (job.aborted) this.onJobAbort();
    else job.addEventListener('abort', this.onJobAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** the timeout fired before the job was stopped */
  get timedOut(): boolean {
    return this.expired && !this.job.aborted;
  }

  dispose(): void {
    this.cancelTimer();
    this.job.removeEventListener('abort', this.onJobAbort);
  }
}

/** Waits `ms` on the clock; resolves early when `signal` fires, so a cancel is not held up. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** "250 ms", "5 s", "1.5 s", "2 min": for messages people read. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${Math.round(ms / 100) / 10} s`;
  return `${ms / 60_000} min`;
}
