import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import type {
  Job,
  JobLogEntry,
  JobOperation,
  JobRequest,
  JobState,
  JobTrigger,
  StepProgress,
} from './job.types';
import { withJobFields } from './job-progress';
import { StateDatabase } from '../state/state-database';

export interface JobListFilter {
  states?: JobState[];
  operations?: JobOperation[];
  triggers?: JobTrigger[];
  backup?: string;
  repository?: string;
  id?: number;
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

  /** A page of jobs, newest first; keys are job ids (see keysetPage). */
  page(filter: JobListFilter, window: KeysetWindow): KeysetPage<Job> {
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
    if (filter.id !== undefined) {
      where.push('id = ?');
      params.push(filter.id);
    }
    const page = keysetPage<JobRow>(this.database, {
      from: 'jobs',
      columns: '*',
      key: 'id',
      descending: true,
      where,
      params,
      window,
    });
    return { ...page, items: page.items.map(toJob) };
  }

  /** Newest first, without counting: for callers that want the head of the list. */
  list(filter: JobListFilter, first: number): Job[] {
    return this.page(filter, { size: first, fromEnd: false, count: false }).items;
  }

  lastOf(filter: JobListFilter): Job | null {
    return this.list(filter, 1)[0] ?? null;
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

  logEntry(jobId: number, seq: number): JobLogEntry | null {
    const row = this.database.db
      .prepare(
        'SELECT job_id AS jobId, seq, time, level, path, message FROM job_logs WHERE job_id = ? AND seq = ?',
      )
      .get(jobId, seq) as JobLogEntry | undefined;
    return row ?? null;
  }

  /** A page of one job's log, oldest first; keys are sequence numbers. */
  logs(jobId: number, window: KeysetWindow): KeysetPage<JobLogEntry> {
    return keysetPage<JobLogEntry>(this.database, {
      from: 'job_logs',
      columns: 'job_id AS jobId, seq, time, level, path, message',
      key: 'seq',
      descending: false,
      where: ['job_id = ?'],
      params: [jobId],
      window,
    });
  }
}

export interface KeysetWindow {
  size: number;
  /** the last `size` items of the range rather than the first */
  fromEnd: boolean;
  /** exclusive bounds, in the list's own order */
  after?: number;
  before?: number;
  /** count the whole list (default true) */
  count?: boolean;
}

export interface KeysetPage<T> {
  items: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number;
}

/**
 * One page of an integer-keyed list, in either order, with exact page flags: one extra row tells
 * whether the page could go on, and a one-row probe whether anything lies beyond the cursor.
 */
export function keysetPage<Row>(
  database: StateDatabase,
  query: {
    from: string;
    columns: string;
    key: string;
    descending: boolean;
    where: string[];
    params: unknown[];
    window: KeysetWindow;
  },
): KeysetPage<Row> {
  const { from, columns, key, descending, window } = query;
  // "after" in list order is below the key when the list runs newest (highest) first
  const afterOp = descending ? '<' : '>';
  const beforeOp = descending ? '>' : '<';
  const select = (extra: string[], extraParams: unknown[], order: string, limit: number) => {
    const where = [...query.where, ...extra];
    const sql = `SELECT ${columns} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY ${key} ${order} LIMIT ?`;
    return database.db.prepare(sql).all(...query.params, ...extraParams, limit) as Row[];
  };
  const bounds: string[] = [];
  const boundParams: unknown[] = [];
  if (window.after !== undefined) {
    bounds.push(`${key} ${afterOp} ?`);
    boundParams.push(window.after);
  }
  if (window.before !== undefined) {
    bounds.push(`${key} ${beforeOp} ?`);
    boundParams.push(window.before);
  }
  const listOrder = descending ? 'DESC' : 'ASC';
  const reverseOrder = descending ? 'ASC' : 'DESC';
  const rows = select(
    bounds,
    boundParams,
    window.fromEnd ? reverseOrder : listOrder,
    window.size + 1,
  );
  const more = rows.length > window.size;
  const items = rows.slice(0, window.size);
  if (window.fromEnd) items.reverse();
  // is there anything on the far side of a cursor (the cursor's own item included)?
  const beyond = (cursor: number | undefined, op: string, order: string) =>
    cursor !== undefined && select([`${key} ${op} ?`], [cursor], order, 1).length > 0;
  const hasPreviousPage = window.fromEnd
    ? more
    : beyond(window.after, descending ? '>=' : '<=', listOrder);
  const hasNextPage = window.fromEnd
    ? beyond(window.before, descending ? '<=' : '>=', listOrder)
    : more;
  let totalCount = 0;
  if (window.count !== false) {
    const sql = `SELECT COUNT(*) AS n FROM ${from} ${
      query.where.length ? `WHERE ${query.where.join(' AND ')}` : ''
    }`;
    totalCount = (database.db.prepare(sql).get(...query.params) as { n: number }).n;
  }
  return { items, hasNextPage, hasPreviousPage, totalCount };
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
