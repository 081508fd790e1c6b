import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { StateDatabase } from '../state/state-database';

export interface RepositoryIdentity {
  resticId: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * Which restic repository (by restic's own id) the daemon found behind each configured name and
 * location. Locations are stored with their credentials masked by the caller.
 */
@Injectable()
export class RepositoryIdentityStore {
  private readonly select: Statement;
  private readonly upsert: Statement;
  private readonly remove: Statement;

  constructor(private readonly database: StateDatabase) {
    this.select = database.db.prepare(
      `SELECT restic_id, first_seen_at, last_seen_at FROM repository_identities
       WHERE name = ? AND location = ?`,
    );
    this.upsert = database.db.prepare(
      `INSERT INTO repository_identities (name, location, restic_id, first_seen_at, last_seen_at)
       VALUES (@name, @location, @resticId, @at, @at)
       ON CONFLICT(name, location) DO UPDATE SET
         first_seen_at = CASE WHEN restic_id = excluded.restic_id THEN first_seen_at
                              ELSE excluded.first_seen_at END,
         restic_id = excluded.restic_id,
         last_seen_at = excluded.last_seen_at`,
    );
    this.remove = database.db.prepare(
      'DELETE FROM repository_identities WHERE name = ? AND location = ?',
    );
  }

  get(name: string, location: string): RepositoryIdentity | null {
    const row = this.select.get(name, location) as
      { restic_id: string; first_seen_at: string; last_seen_at: string } | undefined;
    return row
      ? { resticId: row.restic_id, firstSeenAt: row.first_seen_at, lastSeenAt: row.last_seen_at }
      : null;
  }

  remember(name: string, location: string, resticId: string, at: string): void {
    this.database.write(() => this.upsert.run({ name, location, resticId, at }));
  }

  forget(name: string, location: string): void {
    this.database.write(() => this.remove.run(name, location));
  }
}
