import { Injectable } from '@nestjs/common';
import { StateDatabase } from './state-database';

/** What /health/ready needs to know of the state database, without handing out the handle. */
export type StateProbeResult =
  | { state: 'closed' }
  | { state: 'no-space'; since: string }
  | { state: 'answers' }
  | { state: 'silent' };

/** Asks the state database whether it is open, writable and answering a query. */
@Injectable()
export class StateProbe {
  constructor(private readonly database: StateDatabase) {}

  /** Throws what the database threw, for the caller to name. */
  probe(): StateProbeResult {
    if (!this.database.db.open) return { state: 'closed' };
    // an idle daemon has no other write to notice that space is back
    this.database.retryWrite();
    const since = this.database.noSpaceSince;
    if (since !== null) return { state: 'no-space', since };
    const row = this.database.db.prepare('SELECT 1 AS one').get() as { one: number } | undefined;
    return row?.one === 1 ? { state: 'answers' } : { state: 'silent' };
  }
}
