import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import Database from 'better-sqlite3';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { HenConfig } from '../config/config.types';
import { quickCheckInWorker } from './integrity-check';
import { StateDiskFullError, isStateDiskFull } from './state-disk-full';
import { WalCheckpointer } from './wal-checkpointer';

/** One entry per state schema version; `user_version` counts the ones applied. Append only. */
export const MIGRATIONS: readonly string[] = [
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
  // When each scheduled definition last ran (state/schedule-run-store.ts). Seeded from the job
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
  // jobs(filter: { backup or repository, states: [one] }): without these, SQLite walks jobs_state
  // newest first (it gives the id order for free) and, for a definition with few jobs in a common
  // state, reads most of the history (about 50 ms at 100,000 jobs, bench/history.bench.ts).
  `CREATE INDEX IF NOT EXISTS jobs_backup_state ON jobs(backup, state, id);
   CREATE INDEX IF NOT EXISTS jobs_repository_state ON jobs(repository, state, id);`,
  // Job.updatedAt; older rows read as their latest known time (see job-store.ts).
  `ALTER TABLE jobs ADD COLUMN updated_at TEXT;`,
  // The notification outbox (jobs/notification-outbox-store.ts): written before any delivery.
  `CREATE TABLE IF NOT EXISTS notifications (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     target TEXT NOT NULL,
     event TEXT NOT NULL,
     severity TEXT NOT NULL,
     payload TEXT NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     next_attempt_at TEXT NOT NULL,
     last_attempt_at TEXT,
     sent_at TEXT,
     last_error TEXT,
     response TEXT
   );
   CREATE INDEX IF NOT EXISTS notifications_target_state ON notifications(target, state, id);
   CREATE INDEX IF NOT EXISTS notifications_state ON notifications(state, id);`,
  // The restic repository id each configured repository had when it was last opened, so that one
  // that vanished is reported rather than created again (repositories/repository-opener.ts).
  `CREATE TABLE IF NOT EXISTS repository_identities (
     name TEXT NOT NULL,
     location TEXT NOT NULL,
     restic_id TEXT NOT NULL,
     first_seen_at TEXT NOT NULL,
     last_seen_at TEXT NOT NULL,
     PRIMARY KEY (name, location)
   ) WITHOUT ROWID;`,
  // What the metrics and the status need from past jobs, kept up to date as jobs end
  // (jobs/job-record-rows.ts), so that a start reads a few rows rather than the whole history.
  // The records are computed once from the history there is by the job store (the fold is the
  // jobs layer's), which the 'pending' row asks for; the last success of each definition (kept
  // by history retention) is plain SQL.
  `CREATE TABLE IF NOT EXISTS job_records (
     kind TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (kind, key)
   ) WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS last_successes (
     operation TEXT NOT NULL,
     backup TEXT NOT NULL,
     repository TEXT NOT NULL,
     job_id INTEGER NOT NULL,
     ended_at TEXT NOT NULL,
     PRIMARY KEY (operation, backup, repository)
   ) WITHOUT ROWID;
   INSERT OR REPLACE INTO job_records (kind, key, value) VALUES ('pending', '', '1');
   DELETE FROM last_successes;
   INSERT INTO last_successes (operation, backup, repository, job_id, ended_at)
     SELECT operation, backup, repository, id, ended_at FROM (
       SELECT id, operation, COALESCE(backup, '') AS backup, COALESCE(repository, '') AS repository,
              COALESCE(ended_at, queued_at) AS ended_at,
              ROW_NUMBER() OVER (
                PARTITION BY operation, COALESCE(backup, ''), COALESCE(repository, '')
                ORDER BY COALESCE(ended_at, queued_at) DESC, id DESC) AS rank
       FROM jobs WHERE state = 'succeeded'
     ) WHERE rank = 1;`,
  // History retention walks ended jobs by end time in small steps (jobs/job-history.ts).
  `CREATE INDEX IF NOT EXISTS jobs_ended ON jobs(COALESCE(ended_at, queued_at), id)
     WHERE state IN ('succeeded', 'failed', 'canceled', 'interrupted');`,
];

/**
 * The daemon's state file. WAL keeps readers (the API) from blocking the writer (the runner);
 * synchronous=NORMAL in WAL mode loses nothing committed when the process is killed, only on an
 * OS crash or power cut, which is the trade restic's own cache makes too.
 */
@Injectable()
export class StateDatabase implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly db: Database.Database;
  private readonly logger = new Logger('StateDatabase');
  private noSpace: string | null = null;
  private readonly stopCheck = new AbortController();
  /** The background integrity check of a large file (see openStateDatabase), once started. */
  integrityChecked: Promise<string | null> = Promise.resolve(null);
  /** Checkpoints off the event loop once the daemon runs (before that, SQLite's own). */
  readonly checkpoints: WalCheckpointer;

  /** `dataDir` cannot change while the daemon runs (a reload refuses it), so it is read once. */
  constructor(config: Pick<HenConfig, 'dataDir'>) {
    mkdirSync(config.dataDir, { recursive: true });
    this.db = openStateDatabase(
      join(config.dataDir, 'state.db'),
      new Logger('StateDatabase'),
      () => new Date(),
    );
    this.checkpoints = new WalCheckpointer(this.db, {
      problem: (message) => this.logger.warn({ msg: `state database: ${message}` }),
    });
  }

  /**
   * A file too large to check on the way to ready (see QUICK_CHECK_ON_OPEN_BYTES) is checked now,
   * beside the running daemon. A damaged one cannot be moved aside while in use: the problem is
   * logged, and a marker makes the next start check it first (and move it aside).
   */
  onApplicationBootstrap(): void {
    this.checkpoints.start();
    const file = this.db.name;
    if (fileBytes(file) < QUICK_CHECK_ON_OPEN_BYTES) return;
    this.integrityChecked = quickCheckInWorker(file, this.stopCheck.signal).then(
      (result) => {
        if (result === 'ok') return result;
        writeFileSync(file + CHECK_FAILED_SUFFIX, `${new Date().toISOString()} ${result}\n`);
        this.logger.error({
          msg: `the state database ${file} failed its integrity check (${result}); it will be moved aside at the next start. Stop the daemon and keep a copy of the file to recover what it holds.`,
          file,
          result,
        });
        return result;
      },
      (error: unknown) => {
        if (!this.stopCheck.signal.aborted) {
          this.logger.warn({
            msg: 'the state database integrity check could not run',
            error: String(error),
          });
        }
        return null;
      },
    );
  }

  /**
   * The last thing to close: running jobs record how they ended while shutting down. The
   * checkpoint worker closes its connection first, so that the daemon's, closing last, copies
   * what is left and removes the WAL.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopCheck.abort();
    await this.checkpoints.stop();
    this.close();
  }

  /**
   * Closes at once, for specs and tools that use the file without running the daemon. A
   * checkpoint worker, if one was started, is stopped without waiting: its connection may then
   * close last and leave the WAL beside the file, which the next open reads as usual.
   */
  close(): void {
    this.stopCheck.abort();
    void this.checkpoints.stop(0);
    if (this.db.open) this.db.close();
  }

  /** Since when writes fail for lack of space (ISO time), or null when they work. */
  get noSpaceSince(): string | null {
    return this.noSpace;
  }

  /**
   * While writes fail for lack of space, tries a write that changes nothing (user_version set to
   * itself still appends a page to the WAL), so that an idle daemon notices when space is back.
   */
  retryWrite(): void {
    if (this.noSpace === null || !this.db.open) return;
    try {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      this.write(() => this.db.pragma(`user_version = ${version}`));
    } catch {
      // still full (already logged), or a problem the next real write reports
    }
  }

  /**
   * Runs one write (a statement or a transaction). A full disk is logged once, when writes start
   * failing, kept for /health/ready, and thrown as StateDiskFullError; the next write that
   * succeeds clears it, so the daemon recovers by itself once space is back.
   */
  write<T>(change: () => T): T {
    let result: T;
    try {
      result = change();
    } catch (error) {
      const dir = dirname(this.db.name);
      if (!isStateDiskFull(error, dir)) throw error;
      if (this.noSpace === null) {
        this.noSpace = new Date().toISOString();
        this.logger.error({
          msg: `state database: no space left on ${dir}; job states and logs cannot be recorded until space is freed`,
          dir,
          code: (error as { code?: unknown }).code,
        });
      }
      throw new StateDiskFullError(dir, { cause: error });
    }
    this.checkpoints.wrote();
    if (this.noSpace !== null) {
      this.logger.log({
        msg: `state database: writes work again (they failed for lack of space since ${this.noSpace})`,
        since: this.noSpace,
      });
      this.noSpace = null;
    }
    return result;
  }
}

/**
 * Files up to this size (with their WAL) are checked before they are used, which takes tens of
 * milliseconds; larger ones in the background once the daemon is ready, so that the time to ready
 * does not grow with the history.
 */
export const QUICK_CHECK_ON_OPEN_BYTES = 32 * 1024 * 1024;
/** Left beside the file by a background check that failed: the next start checks it first. */
const CHECK_FAILED_SUFFIX = '.check-failed';

function fileBytes(file: string): number {
  let bytes = 0;
  for (const name of [file, `${file}-wal`]) {
    try {
      bytes += statSync(name).size;
    } catch {
      // missing
    }
  }
  return bytes;
}

/** The state database cannot be used and was left as it is; the daemon must not start. */
export class StateDatabaseError extends Error {}

/** The state schema version this build writes: migrations bring older files up to it. */
export const STATE_SCHEMA_VERSION = MIGRATIONS.length;

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
  const full =
    fileBytes(file) < QUICK_CHECK_ON_OPEN_BYTES || existsSync(file + CHECK_FAILED_SUFFIX);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    // a large file: reading its header and schema still tells a file that is no database
    const check = full
      ? db.pragma('quick_check(1)', { simple: true })
      : (db.prepare('SELECT COUNT(*) FROM sqlite_schema').get(), 'ok');
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

/**
 * A file written by a newer hen-backup has tables and meanings this build does not know: writing
 * to it could lose what the newer version recorded, and its migrations cannot be undone. It is
 * refused before anything opens it for writing (so it stays byte for byte as it was).
 */
function refuseNewer(file: string): void {
  const version = storedVersion(file);
  if (version === null || version <= STATE_SCHEMA_VERSION) return;
  throw new StateDatabaseError(
    `the state database ${file} was written by a newer hen-backup (state schema version ` +
      `${version}; this one knows versions up to ${STATE_SCHEMA_VERSION}). hen-backup left it ` +
      'untouched. Run the newer hen-backup again, or, to go back to this version, restore the ' +
      'state folder saved before the upgrade (see "Upgrades" in the README).',
  );
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0');

/**
 * user_version as stored, or null for a missing file or one that is not a database (the probe
 * deals with those). Read from the file header (bytes 60-63), since even a read-only SQLite
 * connection leaves -wal and -shm files behind; only when a -wal file is already there (the
 * daemon was killed) can the header be stale, and a read-only connection reads it.
 */
function storedVersion(file: string): number | null {
  const header = Buffer.alloc(64);
  let length: number;
  try {
    const fd = openSync(file, 'r');
    try {
      length = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (length < 64 || !header.subarray(0, 16).equals(SQLITE_HEADER)) return null;
  let version = header.readUInt32BE(60);
  if (existsSync(`${file}-wal`)) {
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        version = db.pragma('user_version', { simple: true }) as number;
      } finally {
        db.close();
      }
    } catch {
      // the probe reports what is wrong with it
    }
  }
  return version;
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
  refuseNewer(file);
  let error = probe(file);
  if (!error) {
    rmSync(file + CHECK_FAILED_SUFFIX, { force: true });
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
    rmSync(file + CHECK_FAILED_SUFFIX, { force: true });
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
