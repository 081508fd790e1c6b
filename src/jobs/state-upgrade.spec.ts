import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JobStore } from './job-store';
import {
  openStateDatabase,
  STATE_SCHEMA_VERSION,
  type StateDatabase,
  StateDatabaseError,
} from '../state/state-database';

/**
 * State files users upgrade from, newest first: state-v6.db was written by the released daemon's
 * own code (state schema 6, the version before the job records), state-v5.db by
 * test/fixtures/state/make-state-fixture.ts; each must open, migrate and keep everything.
 */
const FIXTURES = resolve(__dirname, '..', '..', 'test', 'fixtures', 'state');
const FIXTURE_FILES = readdirSync(FIXTURES)
  .filter((name) => /^state-v\d+\.db$/.test(name))
  .sort((a, b) => Number(/\d+/.exec(b)![0]) - Number(/\d+/.exec(a)![0]));

const userVersion = (file: string): number => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

const rows = (file: string, sql: string): unknown[] => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

describe.each(FIXTURE_FILES)('a state database written by an earlier version (%s)', (FIXTURE) => {
  let dir: string;
  let file: string;
  const logger = new Logger('test');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-state-upgrade-'));
    file = join(dir, 'state.db');
    copyFileSync(join(FIXTURES, FIXTURE), file);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens, migrates to the current version and keeps every job, log and schedule run', () => {
    const before = userVersion(file);
    expect(before).toBeLessThan(STATE_SCHEMA_VERSION);
    const jobs = rows(file, 'SELECT * FROM jobs ORDER BY id') as { id: number }[];
    const logs = rows(file, 'SELECT * FROM job_logs ORDER BY job_id, seq');
    const runs = rows(file, 'SELECT * FROM schedule_runs ORDER BY key');
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    expect(logs.length).toBeGreaterThan(0);
    expect(runs.length).toBeGreaterThan(0);

    const db = openStateDatabase(file, logger, () => new Date());
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const store = new JobStore({ db, write: <T>(f: () => T): T => f() } as StateDatabase);
      for (const { id } of jobs) expect(store.get(id)?.id).toBe(id);
      expect(store.get(jobs[0].id)).toMatchObject({
        operation: 'backup',
        backup: 'pictures',
        state: 'succeeded',
        snapshotIds: ['a1b2c3d4e5f6'],
      });
      expect(db.prepare('SELECT * FROM job_logs ORDER BY job_id, seq').all()).toEqual(logs);
      expect(db.prepare('SELECT * FROM schedule_runs ORDER BY key').all()).toEqual(runs);
      // the migrated file takes new jobs after the old ones
      const next = store.create(
        { operation: 'backup', backup: 'pictures', trigger: 'api', priority: 0 },
        new Date().toISOString(),
      );
      expect(next.id).toBeGreaterThan(jobs[jobs.length - 1].id);
    } finally {
      db.close();
    }
  });

  it('refuses a database from a newer version and leaves it byte for byte as it was', () => {
    const newer = new Database(file);
    newer.pragma(`user_version = ${STATE_SCHEMA_VERSION + 1}`);
    newer.close();
    const bytes = readFileSync(file);
    const files = readdirSync(dir).sort();

    let error: unknown;
    try {
      openStateDatabase(file, logger, () => new Date()).close();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StateDatabaseError);
    expect((error as Error).message).toContain(
      `written by a newer hen-backup (state schema version ${STATE_SCHEMA_VERSION + 1}; ` +
        `this one knows versions up to ${STATE_SCHEMA_VERSION})`,
    );
    expect((error as Error).message).toContain('left it untouched');
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(files);
  });
});
