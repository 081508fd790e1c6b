import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { keysetPage, type KeysetPage, type KeysetWindow } from './job-store';
import { StateDatabase } from '../state/state-database';

export const OUTBOX_STATES = ['pending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** One notification for one target, as the outbox keeps it. */
export interface OutboxEntry {
  id: number;
  target: string;
  event: string;
  severity: string;
  /** the event's fields, as given to templates */
  payload: Record<string, unknown>;
  state: OutboxState;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lastAttemptAt: string | null;
  sentAt: string | null;
  lastError: string | null;
  /** what the target answered to the last attempt */
  response: string | null;
}

export interface NewOutboxEntry {
  target: string;
  event: string;
  severity: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface OutboxFilter {
  states?: OutboxState[];
  targets?: string[];
}

interface OutboxRow {
  id: number;
  target: string;
  event: string;
  severity: string;
  payload: string;
  state: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  last_attempt_at: string | null;
  sent_at: string | null;
  last_error: string | null;
  response: string | null;
}

/**
 * The notification outbox: a notification is stored here before any attempt to deliver it, and
 * each attempt's outcome is recorded, so that a restart resumes where delivery stood. Entries of
 * one target are delivered in id order.
 */
@Injectable()
export class NotificationOutboxStore {
  private readonly insert: Statement;
  private readonly head: Statement;
  private readonly markSent: Statement;
  private readonly markAttempt: Statement;
  private readonly pendingCounts: Statement;
  private readonly pendingTargets: Statement;
  private readonly prune: Statement;

  constructor(private readonly database: StateDatabase) {
    const db = database.db;
    this.insert = db.prepare(
      `INSERT INTO notifications (target, event, severity, payload, state, created_at,
         next_attempt_at)
       VALUES (@target, @event, @severity, @payload, 'pending', @createdAt, @createdAt)`,
    );
    this.head = db.prepare(
      `SELECT * FROM notifications WHERE target = ? AND state = 'pending' ORDER BY id LIMIT 1`,
    );
    this.markSent = db.prepare(
      `UPDATE notifications SET state = 'sent', attempts = attempts + 1, sent_at = @at,
         last_attempt_at = @at, response = @response
       WHERE id = @id`,
    );
    this.markAttempt = db.prepare(
      `UPDATE notifications SET state = @state, attempts = attempts + 1, last_attempt_at = @at,
         next_attempt_at = @nextAttemptAt, last_error = @error, response = @response
       WHERE id = @id`,
    );
    this.pendingCounts = db.prepare(
      `SELECT target, COUNT(*) AS count FROM notifications WHERE state = 'pending' GROUP BY target`,
    );
    this.pendingTargets = db.prepare(
      `SELECT DISTINCT target FROM notifications WHERE state = 'pending'`,
    );
    this.prune = db.prepare(
      `DELETE FROM notifications WHERE state IN ('sent', 'failed') AND created_at < ?`,
    );
  }

  /** Stores new notifications in one transaction, returning them with their ids. */
  add(entries: NewOutboxEntry[]): OutboxEntry[] {
    return this.database.write(() =>
      this.database.db.transaction(() =>
        entries.map((entry) => {
          const { lastInsertRowid } = this.insert.run({
            ...entry,
            payload: JSON.stringify(entry.payload),
          });
          return this.get(Number(lastInsertRowid)) as OutboxEntry;
        }),
      )(),
    );
  }

  get(id: number): OutboxEntry | null {
    const row = this.database.db.prepare('SELECT * FROM notifications WHERE id = ?').get(id) as
      OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** The oldest pending notification of a target: the only one that may be sent next. */
  next(target: string): OutboxEntry | null {
    const row = this.head.get(target) as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  sent(id: number, at: string, response: string | null): void {
    this.database.write(() => this.markSent.run({ id, at, response }));
  }

  /** A failed attempt: pending again at `nextAttemptAt`, or failed for good. */
  attemptFailed(
    id: number,
    outcome: {
      at: string;
      error: string;
      response: string | null;
      nextAttemptAt: string;
      giveUp: boolean;
    },
  ): void {
    this.database.write(() =>
      this.markAttempt.run({
        id,
        at: outcome.at,
        error: outcome.error,
        response: outcome.response,
        nextAttemptAt: outcome.nextAttemptAt,
        state: outcome.giveUp ? 'failed' : 'pending',
      }),
    );
  }

  pendingByTarget(): Map<string, number> {
    const rows = this.pendingCounts.all() as { target: string; count: number }[];
    return new Map(rows.map((row) => [row.target, row.count]));
  }

  targetsWithPending(): string[] {
    return (this.pendingTargets.all() as { target: string }[]).map((row) => row.target);
  }

  /** A page of the outbox, newest first; keys are ids (see keysetPage). */
  page(filter: OutboxFilter, window: KeysetWindow): KeysetPage<OutboxEntry> {
    const { where, params } = conditions(filter);
    const page = keysetPage<OutboxRow>(this.database, {
      from: 'notifications',
      columns: '*',
      key: 'id',
      descending: true,
      where,
      params,
      window,
    });
    return { ...page, items: page.items.map(toEntry) };
  }

  /** Forgets delivered and abandoned notifications created before `cutoff` (ISO time). */
  forgetBefore(cutoff: string): number {
    return this.database.write(() => this.prune.run(cutoff).changes);
  }
}

function conditions(filter: OutboxFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [column, values] of [
    ['state', filter.states],
    ['target', filter.targets],
  ] as const) {
    if (!values?.length) continue;
    where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  }
  return { where, params };
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    target: row.target,
    event: row.event,
    severity: row.severity,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    state: row.state as OutboxState,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    sentAt: row.sent_at,
    lastError: row.last_error,
    response: row.response,
  };
}
