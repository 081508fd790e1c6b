import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
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
    this.db = openStateDatabase(
      join(config.dataDir, 'state.db'),
      new Logger('StateDatabase'),
      () => new Date(),
    );
  }

  /** The last thing to close: running jobs record how they ended while shutting down. */
  onApplicationShutdown(): void {
    if (this.db.open) this.db.close();
  }
}

/** The state database cannot be used and was left as it is; the daemon must not start. */
export class StateDatabaseError extends Error {}

/** SQLite's answers for a file that is not a database, or a damaged one. */
const CORRUPTION_CODES = /^SQLITE_(NOTADB|CORRUPT)/;

function open(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Reads an existing file read-only and checks it: a read-only connection never deletes or
 * rewrites the -wal file when it closes, so nothing is lost before the file can be moved aside.
 * Returns the problem found, or null.
 */
function probe(file: string): unknown {
  if (!existsSync(file)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check === 'ok') return null;
    return Object.assign(new Error(`integrity check failed: ${String(check)}`), {
      code: 'SQLITE_CORRUPT',
    });
  } catch (error) {
    return error;
  } finally {
    db?.close();
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** `state.db.corrupt-20261122T042502Z`, with a counter if that name is taken. */
function asideName(file: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let candidate = `${file}.corrupt-${stamp}`;
  for (let i = 1; existsSync(candidate); i++) candidate = `${file}.corrupt-${stamp}-${i}`;
  return candidate;
}

/**
 * Opens (creating it when missing) and migrates the state database. A file that is not a
 * database or is damaged is moved aside with its -wal and -shm files, never deleted, and a fresh
 * one is started, loudly. Any other failure (permissions, a folder in the way, a disk error)
 * leaves the file alone and throws StateDatabaseError: starting without the history would hide it.
 */
export function openStateDatabase(
  file: string,
  logger: Logger,
  now: () => Date,
): Database.Database {
  let error = probe(file);
  if (!error) {
    try {
      return open(file);
    } catch (openError) {
      error = openError;
    }
  }
  const code = (error as { code?: unknown }).code;
  const reason = `${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` (${code})` : ''}`;
  if (typeof code !== 'string' || !CORRUPTION_CODES.test(code)) {
    throw new StateDatabaseError(
      `the state database ${file} cannot be opened: ${reason}. hen-backup left it untouched. ` +
        'Check that the user running hen-backup can read and write it and its folder ' +
        '(and that it is a file), then start again.',
    );
  }
  const aside = asideName(file, now());
  try {
    renameSync(file, aside);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
    }
  } catch (moveError) {
    throw new StateDatabaseError(
      `the state database ${file} is damaged (${reason}) and could not be moved aside: ` +
        `${moveError instanceof Error ? moveError.message : String(moveError)}. ` +
        'Move or remove it yourself, then start again.',
    );
  }
  logger.error({
    msg:
      `the state database ${file} is damaged or not a database (${reason}); it was moved to ` +
      `${aside} and a new, empty one was started: the job history and schedule times are ` +
      `lost, so interval schedules run at once. Keep ${aside} to investigate or to recover data ` +
      '(e.g. `sqlite3 FILE .recover`); delete it when it is no longer needed.',
    file,
    movedTo: aside,
    reason,
  });
  return open(file);
}
