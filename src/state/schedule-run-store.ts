import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { StateDatabase } from './state-database';

/**
 * When each scheduled definition last ran (table schedule_runs), so that intervals count from the
 * real last run across restarts. Times are stored as ISO text and compared as epoch numbers.
 */
@Injectable()
export class ScheduleRunStore {
  private readonly select: Statement;
  private readonly upsert: Statement;

  constructor(private readonly database: StateDatabase) {
    this.select = database.db.prepare('SELECT last_run_at FROM schedule_runs WHERE key = ?');
    this.upsert = database.db.prepare(
      `INSERT INTO schedule_runs (key, last_run_at) VALUES (?, ?)
       ON CONFLICT(key) DO UPDATE SET last_run_at = excluded.last_run_at`,
    );
  }

  /** Epoch milliseconds of the last recorded run, or null if none (or unreadable). */
  lastRunAt(key: string): number | null {
    const row = this.select.get(key) as { last_run_at: string } | undefined;
    if (!row) return null;
    const ms = Date.parse(row.last_run_at);
    return Number.isNaN(ms) ? null : ms;
  }

  record(key: string, atMs: number): void {
    this.database.write(() => this.upsert.run(key, new Date(atMs).toISOString()));
  }
}
