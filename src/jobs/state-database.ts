import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HEN_CONFIG } from '../config/config.constants';
import type { HenConfig } from '../config/config.types';

const MIGRATIONS: string[] = [
  `CREATE TABLE jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     operation TEXT NOT NULL,
     backup TEXT,
     repository TEXT,
     trigger TEXT NOT NULL,
     priority INTEGER NOT NULL,
     state TEXT NOT NULL,
     queued_at TEXT NOT NULL,
     started_at TEXT,
     ended_at TEXT,
     steps TEXT NOT NULL,
     progress TEXT,
     warnings TEXT NOT NULL,
     error TEXT,
     snapshot_ids TEXT NOT NULL,
     params TEXT NOT NULL
   );
   CREATE INDEX jobs_state ON jobs(state);
   CREATE INDEX jobs_backup ON jobs(backup, id);
   CREATE INDEX jobs_repository ON jobs(repository, id);
   CREATE TABLE job_logs (
     job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     time TEXT NOT NULL,
     level TEXT NOT NULL,
     path TEXT NOT NULL,
     message TEXT NOT NULL,
     PRIMARY KEY (job_id, seq)
   ) WITHOUT ROWID;`,
  // When each scheduled definition last ran (triggers/schedule-runs.ts). Seeded from the job
  // history so that upgrading does not make every interval schedule due at once.
  `CREATE TABLE schedule_runs (
     key TEXT PRIMARY KEY,
     last_run_at TEXT NOT NULL
   );
   INSERT INTO schedule_runs (key, last_run_at)
     SELECT CASE WHEN operation = 'check' THEN 'check:' || repository
                 ELSE operation || ':' || backup END,
            MAX(ended_at)
     FROM jobs
     WHERE state IN ('succeeded', 'failed') AND ended_at IS NOT NULL
       AND ((operation IN ('backup', 'prune') AND backup IS NOT NULL)
         OR (operation = 'check' AND repository IS NOT NULL))
     GROUP BY 1;`,
];

/**
 * The daemon's state file. WAL keeps readers (the API) from blocking the writer (the runner);
 * synchronous=NORMAL in WAL mode loses nothing committed when the process is killed, only on an
 * OS crash or power cut, which is the trade restic's own cache makes too.
 */
@Injectable()
export class StateDatabase implements OnApplicationShutdown {
  readonly db: Database.Database;

  constructor(@Inject(HEN_CONFIG) config: HenConfig) {
    mkdirSync(config.dataDir, { recursive: true });
    this.db = new Database(join(config.dataDir, 'state.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  /** The last thing to close: running jobs record how they ended while shutting down. */
  onApplicationShutdown(): void {
    if (this.db.open) this.db.close();
  }
}
