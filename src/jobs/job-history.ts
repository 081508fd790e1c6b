import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Clock } from '../common/clock';
import { LiveConfig } from '../config/live-config';
import { type EndKey, HistoryRetentionStore, endsBefore } from './history-retention-store';
import { StateDatabase } from '../state/state-database';

/** How often the history is pruned after the one at startup. */
export const HISTORY_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** How long one step (one transaction) may hold the database and the event loop. */
const STEP_MS = 4;
/** Ended jobs skipped per statement while looking for the keepCount-th newest. */
const SKIP_CHUNK = 5000;
/** Ended jobs read per statement while walking from the oldest. */
const CANDIDATES = 100;
/**
 * Steps between two waits for a WAL checkpoint (about 4 MB of WAL, 0.3 MB a step measured):
 * checkpoints run in a worker beside the pass, and the WAL can only start over once one has
 * caught up with it, which a pass that never pauses would not let happen.
 */
const STEPS_PER_CHECKPOINT = 12;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the last pass did, for the log and the benchmarks. */
export interface PrunePass {
  removed: number;
  steps: number;
  /** the longest time one step held the event loop, in ms */
  longestStepMs: number;
}

/**
 * Keeps the job history within `jobs.history`: in the background after startup, then every hour.
 *
 * Ended jobs may be removed when older than keepDays, or beyond the keepCount newest ended jobs.
 * Never a queued or running job, and never the last successful job of each definition (same
 * operation, backup and repository; kept in last_successes as jobs end), so that "when did this
 * last work" always has an answer. Their logs go with them. The records the metrics and the
 * status read (jobs/job-record-rows.ts) are kept apart and are not changed by retention.
 *
 * A pass is a series of short steps (each one transaction of a few milliseconds at most, walking
 * the jobs_ended index), with the event loop free between them, so that jobs and queries never
 * wait long for it, however long the history.
 */
@Injectable()
export class JobHistory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobHistory');
  private readonly store: HistoryRetentionStore;
  private stopTimer?: () => void;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** The last pass that completed. */
  lastPass: PrunePass | null = null;

  constructor(
    private readonly config: LiveConfig,
    private readonly database: StateDatabase,
    private readonly clock: Clock,
  ) {
    this.store = new HistoryRetentionStore(database);
  }

  onApplicationBootstrap(): void {
    this.startPass();
    this.stopTimer = this.clock.setInterval(() => this.startPass(), HISTORY_PRUNE_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.stopTimer?.();
  }

  /** Resolves when no pass runs (for tests and the benchmarks). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Removes expired jobs and their logs at once, step after step; returns how many went. */
  prune(): number {
    const pass = this.pass();
    for (;;) {
      const next = pass.next();
      if (next.done) return next.value;
    }
  }

  private startPass(): void {
    if (this.running || this.stopped) return;
    this.running = this.pruneInBackground().finally(() => {
      this.running = null;
    });
  }

  private async pruneInBackground(): Promise<void> {
    const result: PrunePass = { removed: 0, steps: 0, longestStepMs: 0 };
    try {
      // The start-up integrity check of a large file reads it in one long transaction, during
      // which no checkpoint can copy anything back: a pass beside it grew the WAL past the
      // checkpointer's fallback, and then one commit copied the whole WAL on the event loop
      // (a step of 50–270 ms in a probe over 300,000 jobs). The pass waits for the check.
      await this.database.integrityChecked;
      const pass = this.pass();
      for (;;) {
        await nextTurn();
        if (result.steps % STEPS_PER_CHECKPOINT === STEPS_PER_CHECKPOINT - 1) {
          await this.database.checkpoints.checkpoint();
        }
        if (this.stopped) return;
        const started = performance.now();
        const next = pass.next();
        result.steps++;
        result.longestStepMs = Math.max(result.longestStepMs, performance.now() - started);
        if (next.done) {
          result.removed = next.value;
          break;
        }
      }
    } catch (error) {
      this.logger.error({ msg: 'pruning the job history failed', error: String(error) });
      return;
    }
    this.lastPass = result;
    if (result.removed) {
      const { keepDays, keepCount } = this.config.current.jobs.history;
      this.logger.log({
        msg: `job history pruned: ${result.removed} ended jobs and their logs removed (keepDays ${keepDays}, keepCount ${keepCount})`,
        ...result,
      });
    }
  }

  /** One pass; each `next()` runs one short step. Returns how many jobs were removed. */
  private *pass(): Generator<void, number> {
    const { keepDays, keepCount } = this.config.current.jobs.history;
    const cutoff = new Date(this.clock.now() - keepDays * DAY_MS).toISOString();

    // The newest ended job beyond the keepCount newest: it and all before it may go.
    let below: EndKey | null = null;
    let boundary: EndKey | null = null;
    let remaining = keepCount;
    while (remaining > 0 && (below !== null || remaining === keepCount)) {
      const skip = Math.min(remaining, SKIP_CHUNK);
      below = this.store.skipNewest(skip, below);
      remaining = below ? remaining - skip : 0;
      yield;
    }
    if (keepCount === 0 || below !== null) boundary = this.store.skipNewest(1, below);

    const keep = this.store.lastSuccessIds();
    const expired = (job: EndKey) =>
      job.end < cutoff || (boundary !== null && !endsBefore(boundary, job));
    let after: EndKey | null = null;
    let removed = 0;
    let done = false;
    while (!done) {
      const started = performance.now();
      const more = () => performance.now() - started < STEP_MS;
      this.store.transaction(() => {
        while (more()) {
          const candidates = this.store.oldestEnded(after, CANDIDATES);
          if (!candidates.length) {
            done = true;
            return;
          }
          for (const job of candidates) {
            if (!expired(job)) {
              done = true;
              return;
            }
            // a job whose logs are not all gone yet is taken up again by the next step
            if (!keep.has(job.id) && !this.store.removeJob(job.id, more)) return;
            if (!keep.has(job.id)) removed++;
            after = job;
            if (!more()) return;
          }
        }
      });
      yield;
    }
    return removed;
  }
}
