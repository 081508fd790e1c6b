import type Database from 'better-sqlite3';
import {
  BackupRecords,
  type RecordKind,
  type RecordLoader,
  type RecordsByKind,
  recordKey,
} from './backup-records';
import type { Job } from './job.types';

/*
 * The kept-up-to-date aggregates of the job history (what the metrics and the status need from
 * past jobs), as rows of job_records (state/state-database.ts makes the tables): one JSON record
 * per kind and key, plus the last successful job of each definition in last_successes (which
 * history retention never removes). Written in the same transaction as the end of the job they
 * follow, so that a crash can never leave them behind or ahead of the history.
 */

/** A counter row bumped by every fold, so that readers can tell their copy is stale in one read. */
export const VERSION_KIND = 'version';
/** Left by the migration that made the tables: the records are to be computed from the history. */
const PENDING_KIND = 'pending';

const RECORD_KINDS: readonly RecordKind[] = ['backup', 'repository', 'maintenance', 'reachability'];

/** The ended states: a job in one of them has ended for good. */
export const ENDED_STATES: ReadonlySet<string> = new Set([
  'succeeded',
  'failed',
  'canceled',
  'interrupted',
]);

/** Prepared statements over one connection. */
export class RecordRows {
  private readonly selectOne: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly selectVersion: Database.Statement;
  private readonly upsertLastSuccess: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.selectOne = db.prepare('SELECT value FROM job_records WHERE kind = ? AND key = ?');
    this.selectAll = db.prepare('SELECT kind, value FROM job_records');
    this.upsert = db.prepare(
      `INSERT INTO job_records (kind, key, value) VALUES (?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value`,
    );
    this.selectVersion = db.prepare(`SELECT value FROM job_records WHERE kind = ? AND key = ''`);
    // (ended_at, id) decides which success is the last, as history retention ranks them
    this.upsertLastSuccess = db.prepare(
      `INSERT INTO last_successes (operation, backup, repository, job_id, ended_at)
       VALUES (@operation, @backup, @repository, @id, @endedAt)
       ON CONFLICT (operation, backup, repository) DO UPDATE
         SET job_id = excluded.job_id, ended_at = excluded.ended_at
         WHERE (excluded.ended_at, excluded.job_id) > (last_successes.ended_at, last_successes.job_id)`,
    );
  }

  version(): number {
    const row = this.selectVersion.get(VERSION_KIND) as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  /** Every stored record: a handful of rows per backup and repository. */
  all(): BackupRecords {
    const records = { backup: [], repository: [], maintenance: [], reachability: [] } as {
      [K in RecordKind]: RecordsByKind[K][];
    };
    for (const row of this.selectAll.iterate() as Iterable<{
      kind: RecordKind;
      value: string;
    }>) {
      if (RECORD_KINDS.includes(row.kind)) {
        (records[row.kind] as unknown[]).push(JSON.parse(row.value));
      }
    }
    return BackupRecords.of(records);
  }

  /**
   * Folds one ended job into the stored records: reads the few records it touches, applies it,
   * writes them back. Call inside the transaction that stores the job's end.
   */
  fold(job: Job): void {
    const load: RecordLoader = (kind, key) => {
      const row = this.selectOne.get(kind, key) as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as RecordsByKind[typeof kind]) : null;
    };
    const records = new BackupRecords(load);
    records.apply(job);
    for (const { kind, key, record } of records.touched()) {
      this.upsert.run(kind, key, JSON.stringify(record));
    }
    if (job.state === 'succeeded') {
      this.upsertLastSuccess.run({
        operation: job.operation,
        backup: job.backup ?? '',
        repository: job.repository ?? '',
        id: job.id,
        endedAt: job.endedAt ?? job.queuedAt,
      });
    }
    this.upsert.run(VERSION_KIND, '', String(this.version() + 1));
  }

  /**
   * The records computed from the whole history, as a restart used to: every ended job in the
   * order jobs ended. For the migration that creates the tables, and for tests that check the
   * kept records against it.
   */
  static recompute(db: Database.Database): BackupRecords {
    const records = new BackupRecords();
    const rows = db
      .prepare(
        `SELECT id, operation, backup, repository, state, queued_at, started_at, ended_at, steps,
                warnings
         FROM jobs
         WHERE state IN ('succeeded', 'failed', 'canceled', 'interrupted') AND ended_at IS NOT NULL
         ORDER BY ended_at, id`,
      )
      .iterate() as Iterable<{
      id: number;
      operation: string;
      backup: string | null;
      repository: string | null;
      state: string;
      queued_at: string;
      started_at: string | null;
      ended_at: string | null;
      steps: string;
      warnings: string;
    }>;
    for (const row of rows) {
      records.apply({
        id: row.id,
        operation: row.operation,
        backup: row.backup,
        repository: row.repository,
        state: row.state,
        queuedAt: row.queued_at,
        startedAt: row.started_at,
        endedAt: row.ended_at,
        steps: JSON.parse(row.steps) as Job['steps'],
        warnings: JSON.parse(row.warnings) as string[],
      } as Job);
    }
    return records;
  }

  /**
   * Computes the records from the history once, when the migration that made the tables asks for
   * it (an upgraded state file): the one start after an upgrade reads the history, no other.
   */
  static computeIfPending(db: Database.Database): void {
    const pending = db.prepare('SELECT 1 FROM job_records WHERE kind = ?').get(PENDING_KIND);
    if (!pending) return;
    db.transaction(() => {
      const upsert = db.prepare(
        `INSERT INTO job_records (kind, key, value) VALUES (?, ?, ?)
         ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value`,
      );
      db.prepare('DELETE FROM job_records').run();
      const all = RecordRows.recompute(db).all();
      for (const kind of RECORD_KINDS) {
        for (const record of all[kind]) {
          upsert.run(kind, recordKeyOf(kind, record), JSON.stringify(record));
        }
      }
      upsert.run(VERSION_KIND, '', '1');
    })();
  }
}

function recordKeyOf(kind: RecordKind, record: RecordsByKind[RecordKind]): string {
  return recordKey(kind, record);
}
