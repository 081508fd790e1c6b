import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { StateDatabase } from '../state/state-database';

/** A place in the ended jobs ordered by end: (COALESCE(ended_at, queued_at), id). */
export interface EndKey {
  end: string;
  id: number;
}

const ENDED = `state IN ('succeeded', 'failed', 'canceled', 'interrupted')`;
const END = 'COALESCE(ended_at, queued_at)';
/** Log lines removed per statement: a job keeps up to 10,000 of them. */
const LOG_CHUNK = 500;

/**
 * The statements of history retention (jobs/job-history.ts decides and paces): each walks the
 * jobs_ended index a small step at a time, so that no statement takes long whatever the size of
 * the history.
 */
@Injectable()
export class HistoryRetentionStore {
  private readonly newestAfterSkip: Statement;
  private readonly newestBelowAfterSkip: Statement;
  private readonly oldest: Statement;
  private readonly oldestAbove: Statement;
  private readonly protectedIds: Statement;
  private readonly deleteLogs: Statement;
  private readonly deleteJob: Statement;

  constructor(private readonly database: StateDatabase) {
    const db = database.db;
    // Bounds written out rather than as row values, so that SQLite seeks in the index.
    const select = `SELECT ${END} AS end, id FROM jobs INDEXED BY jobs_ended`;
    this.newestAfterSkip = db.prepare(
      `${select} WHERE ${ENDED} ORDER BY ${END} DESC, id DESC LIMIT 1 OFFSET @skip`,
    );
    this.newestBelowAfterSkip = db.prepare(
      `${select} WHERE ${ENDED} AND ${END} <= @end AND (${END} < @end OR id < @id)
       ORDER BY ${END} DESC, id DESC LIMIT 1 OFFSET @skip`,
    );
    this.oldest = db.prepare(`${select} WHERE ${ENDED} ORDER BY ${END}, id LIMIT @limit`);
    this.oldestAbove = db.prepare(
      `${select} WHERE ${ENDED} AND ${END} >= @end AND (${END} > @end OR id > @id)
       ORDER BY ${END}, id LIMIT @limit`,
    );
    this.protectedIds = db.prepare('SELECT job_id AS id FROM last_successes');
    this.deleteLogs = db.prepare(
      `DELETE FROM job_logs WHERE job_id = @id AND seq IN (
         SELECT seq FROM job_logs WHERE job_id = @id ORDER BY seq LIMIT ${LOG_CHUNK})`,
    );
    this.deleteJob = db.prepare('DELETE FROM jobs WHERE id = ?');
  }

  /**
   * Skips `skip` ended jobs (at least 1), newest end first, starting below `below` (or at the
   * newest): returns the last one skipped, or null when there were not that many.
   */
  skipNewest(skip: number, below: EndKey | null): EndKey | null {
    const row = below
      ? this.newestBelowAfterSkip.get({ ...below, skip: skip - 1 })
      : this.newestAfterSkip.get({ skip: skip - 1 });
    return (row as EndKey | undefined) ?? null;
  }

  /** Up to `limit` ended jobs after `after` (or from the oldest), oldest end first. */
  oldestEnded(after: EndKey | null, limit: number): EndKey[] {
    return (
      after ? this.oldestAbove.all({ ...after, limit }) : this.oldest.all({ limit })
    ) as EndKey[];
  }

  /** The last successful job of each definition: retention never removes them. */
  lastSuccessIds(): Set<number> {
    return new Set((this.protectedIds.all() as { id: number }[]).map((r) => r.id));
  }

  /**
   * Removes one job's log lines, a chunk at a time, then the job once they are gone; returns
   * whether the job is gone. `more` says whether there is time left for another statement.
   */
  removeJob(id: number, more: () => boolean): boolean {
    for (;;) {
      const removed = this.deleteLogs.run({ id }).changes;
      if (removed < LOG_CHUNK) break;
      if (!more()) return false;
    }
    this.deleteJob.run(id);
    return true;
  }

  /** Runs `step` as one transaction, through StateDatabase.write (a full disk throws). */
  transaction<T>(step: () => T): T {
    return this.database.write(() => this.database.db.transaction(step)());
  }
}

/** Whether a comes before b in end order. */
export function endsBefore(a: EndKey, b: EndKey): boolean {
  return a.end < b.end || (a.end === b.end && a.id < b.id);
}
