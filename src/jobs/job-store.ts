import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import type {
  Job,
  JobLogEntry,
  JobLogLevel,
  JobOperation,
  JobRequest,
  JobState,
  JobTrigger,
  StepProgress,
} from './job.types';
import { withJobFields } from './job-progress';
import { StateDatabase } from './state-database';

export interface JobListFilter {
  states?: JobState[];
  operations?: JobOperation[];
  triggers?: JobTrigger[];
  backup?: string;
  repository?: string;
}

interface JobRow {
  id: number;
  operation: string;
  backup: string | null;
  repository: string | null;
  trigger: string;
  priority: number;
  state: string;
  queued_at: string;
  updated_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  steps: string;
  progress: string | null;
  warnings: string;
  error: string | null;
  snapshot_ids: string;
  params: string;
}

/**
 * Reads and writes jobs and their logs; every call is its own committed transaction. Writes go
 * through StateDatabase.write: on a full disk they throw StateDiskFullError.
 */
@Injectable()
export class JobStore {
  private readonly insertJob: Statement;
  private readonly updateJob: Statement;
  private readonly selectJob: Statement;
  private readonly insertLog: Statement;
  private readonly maxSeq: Statement;

  constructor(private readonly database: StateDatabase) {
    const db = database.db;
    this.insertJob = db.prepare(
      `INSERT INTO jobs (operation, backup, repository, trigger, priority, state, queued_at,
         updated_at, steps, warnings, snapshot_ids, params)
       VALUES (@operation, @backup, @repository, @trigger, @priority, 'queued', @queuedAt,
         @queuedAt, '[]', '[]', '[]', @params)`,
    );
    this.updateJob = db.prepare(
      `UPDATE jobs SET priority = @priority, state = @state, started_at = @startedAt,
         ended_at = @endedAt, steps = @steps, progress = @progress, warnings = @warnings,
         error = @error, snapshot_ids = @snapshotIds, updated_at = @updatedAt
       WHERE id = @id`,
    );
    this.selectJob = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.insertLog = db.prepare(
      `INSERT INTO job_logs (job_id, seq, time, level, path, message)
       VALUES (@jobId, @seq, @time, @level, @path, @message)`,
    );
    this.maxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM job_logs WHERE job_id = ?');
  }

  create(request: JobRequest, queuedAt: string): Job {
    const result = this.database.write(() =>
      this.insertJob.run({
        operation: request.operation,
        backup: request.backup ?? null,
        repository: request.repository ?? null,
        trigger: request.trigger,
        priority: request.priority,
        queuedAt,
        params: JSON.stringify(request.params ?? {}),
      }),
    );
    return this.get(Number(result.lastInsertRowid))!;
  }

  save(job: Job): void {
    this.database.write(() =>
      this.updateJob.run({
        id: job.id,
        priority: job.priority,
        state: job.state,
        startedAt: job.startedAt,
        endedAt: job.endedAt,
        steps: JSON.stringify(job.steps),
        progress: job.progress ? JSON.stringify(job.progress) : null,
        warnings: JSON.stringify(job.warnings),
        error: job.error ? JSON.stringify(job.error) : null,
        snapshotIds: JSON.stringify(job.snapshotIds),
        updatedAt: job.updatedAt,
      }),
    );
  }

  get(id: number): Job | null {
    const row = this.selectJob.get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  inState(state: JobState): Job[] {
    const rows = this.database.db
      .prepare('SELECT * FROM jobs WHERE state = ? ORDER BY id')
      .all(state) as JobRow[];
    return rows.map(toJob);
  }

  /** Newest first; `beforeId` is the keyset cursor. Asks for one extra row to tell if more exist. */
  list(filter: JobListFilter, first: number, beforeId?: number): { jobs: Job[]; hasMore: boolean } {
    const where: string[] = [];
    const params: unknown[] = [];
    const within = (column: string, values?: readonly string[]) => {
      if (!values?.length) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    within('state', filter.states);
    within('operation', filter.operations);
    within('trigger', filter.triggers);
    if (filter.backup !== undefined) {
      where.push('backup = ?');
      params.push(filter.backup);
    }
    if (filter.repository !== undefined) {
      where.push('repository = ?');
      params.push(filter.repository);
    }
    if (beforeId !== undefined) {
      where.push('id < ?');
      params.push(beforeId);
    }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY id DESC LIMIT ?`;
    const rows = this.database.db.prepare(sql).all(...params, first + 1) as JobRow[];
    return { jobs: rows.slice(0, first).map(toJob), hasMore: rows.length > first };
  }

  lastOf(filter: JobListFilter): Job | null {
    const { jobs } = this.list(filter, 1);
    return jobs[0] ?? null;
  }

  /** Ended jobs of these operations, oldest end first, read lazily (the history may be long). */
  *finishedInEndOrder(operations: readonly JobOperation[]): Generator<Job> {
    if (!operations.length) return;
    const rows = this.database.db
      .prepare(
        `SELECT * FROM jobs
         WHERE operation IN (${operations.map(() => '?').join(', ')})
           AND state IN ('succeeded', 'failed', 'canceled', 'interrupted') AND ended_at IS NOT NULL
         ORDER BY ended_at, id`,
      )
      .iterate(...operations) as IterableIterator<JobRow>;
    for (const row of rows) yield toJob(row);
  }

  countByState(): Record<string, number> {
    const rows = this.database.db
      .prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state')
      .all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  nextLogSeq(jobId: number): number {
    return (this.maxSeq.get(jobId) as { seq: number }).seq + 1;
  }

  appendLog(entry: JobLogEntry): void {
    this.database.write(() => this.insertLog.run(entry));
  }

  /** Rewrites one stored log line (the marker of a capped log, once its count is known). */
  replaceLogMessage(jobId: number, seq: number, message: string): void {
    const update = this.database.db.prepare(
      'UPDATE job_logs SET message = ? WHERE job_id = ? AND seq = ?',
    );
    this.database.write(() => update.run(message, jobId, seq));
  }

  logs(jobId: number, first: number, afterSeq = 0): { entries: JobLogEntry[]; hasMore: boolean } {
    const rows = this.database.db
      .prepare(
        `SELECT job_id AS jobId, seq, time, level, path, message FROM job_logs
         WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      )
      .all(jobId, afterSeq, first + 1) as (Omit<JobLogEntry, 'level'> & { level: JobLogLevel })[];
    return { entries: rows.slice(0, first), hasMore: rows.length > first };
  }
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    operation: row.operation as Job['operation'],
    backup: row.backup,
    repository: row.repository,
    trigger: row.trigger as Job['trigger'],
    priority: row.priority,
    state: row.state as JobState,
    queuedAt: row.queued_at,
    updatedAt: row.updated_at ?? row.ended_at ?? row.started_at ?? row.queued_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    steps: JSON.parse(row.steps) as Job['steps'],
    progress: row.progress ? withJobFields(JSON.parse(row.progress) as StepProgress) : null,
    warnings: JSON.parse(row.warnings) as string[],
    error: row.error ? (JSON.parse(row.error) as Job['error']) : null,
    snapshotIds: JSON.parse(row.snapshot_ids) as string[],
    params: JSON.parse(row.params) as Record<string, unknown>,
  };
}
