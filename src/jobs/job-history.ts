import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { LiveConfig } from '../config/live-config';
import { StateDatabase } from '../state/state-database';

/** How often the history is pruned after the one at startup. */
export const HISTORY_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** Jobs removed per transaction, so that the API and the runner are never blocked for long. */
const BATCH = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Ended jobs that may be removed: older than keepDays, or beyond the keepCount newest ended
 * jobs. Never a queued or running job, and never the last successful job of each definition
 * (same operation, backup and repository), so that "when did this last work" always has an
 * answer. Their logs go with them (ON DELETE CASCADE).
 */
const EXPIRED = `
  WITH ended AS (
    SELECT id, COALESCE(ended_at, queued_at) AS ended_at,
           ROW_NUMBER() OVER (ORDER BY COALESCE(ended_at, queued_at) DESC, id DESC) AS rank
    FROM jobs WHERE state IN ('succeeded', 'failed', 'canceled', 'interrupted')
  ),
  last_success AS (
    SELECT id FROM (
      SELECT id, ROW_NUMBER() OVER (
               PARTITION BY operation, COALESCE(backup, ''), COALESCE(repository, '')
               ORDER BY COALESCE(ended_at, queued_at) DESC, id DESC) AS rank
      FROM jobs WHERE state = 'succeeded'
    ) WHERE rank = 1
  )
  SELECT id FROM ended
  WHERE (ended_at < @cutoff OR rank > @keepCount)
    AND id NOT IN (SELECT id FROM last_success)
  ORDER BY id
  LIMIT ${BATCH}`;

/** Keeps the job history within `jobs.history`: at startup, then every hour. */
@Injectable()
export class JobHistory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobHistory');
  private stopTimer?: () => void;

  constructor(
    private readonly config: LiveConfig,
    private readonly database: StateDatabase,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.pruneAndLog();
    this.stopTimer = this.clock.setInterval(() => this.pruneAndLog(), HISTORY_PRUNE_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    this.stopTimer?.();
  }

  /** Removes expired jobs and their logs; returns how many jobs were removed. */
  prune(): number {
    const { keepDays, keepCount } = this.config.current.jobs.history;
    const db = this.database.db;
    const cutoff = new Date(this.clock.now() - keepDays * DAY_MS).toISOString();
    const select = db.prepare(EXPIRED);
    const remove = db.prepare('DELETE FROM jobs WHERE id = ?');
    const batch = db.transaction(() => {
      const ids = (select.all({ cutoff, keepCount }) as { id: number }[]).map((r) => r.id);
      for (const id of ids) remove.run(id);
      return ids.length;
    });
    let removed = 0;
    for (;;) {
      const n = this.database.write(batch);
      removed += n;
      if (n < BATCH) return removed;
    }
  }

  private pruneAndLog(): void {
    try {
      const removed = this.prune();
      if (removed) {
        const { keepDays, keepCount } = this.config.current.jobs.history;
        this.logger.log({
          msg: `job history pruned: ${removed} ended jobs and their logs removed (keepDays ${keepDays}, keepCount ${keepCount})`,
          removed,
        });
      }
    } catch (error) {
      this.logger.error({ msg: 'pruning the job history failed', error: String(error) });
    }
  }
}
