import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateDatabase, StateDatabaseError } from './state-database';

const NOW = new Date('2026-11-22T04:25:02.123Z');
const GARBAGE = Buffer.from('this is not an SQLite database, it is garbage '.repeat(200));

describe('opening the state database', () => {
  let dir: string;
  let file: string;
  let logger: Logger;
  let logged: unknown[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-statedb-'));
    file = join(dir, 'state.db');
    logger = new Logger('test');
    logged = [];
    jest.spyOn(logger, 'error').mockImplementation((message: unknown) => {
      logged.push(message);
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tables = (db: Database.Database) =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      .map((r) => r.name)
      .sort();

  it('creates and migrates a new database, and reopens it as it is', () => {
    const db = openStateDatabase(file, logger, () => NOW);
    expect(tables(db)).toEqual(expect.arrayContaining(['job_logs', 'jobs', 'schedule_runs']));
    db.prepare("INSERT INTO schedule_runs (key, last_run_at) VALUES ('backup:x', 'then')").run();
    db.close();
    const again = openStateDatabase(file, logger, () => NOW);
    expect(again.prepare('SELECT COUNT(*) AS n FROM schedule_runs').get()).toEqual({ n: 1 });
    again.close();
    expect(logged).toEqual([]);
  });

  it('moves a file that is not a database aside, with its -wal and -shm, and starts afresh', () => {
    writeFileSync(file, GARBAGE);
    writeFileSync(`${file}-wal`, 'wal garbage');
    writeFileSync(`${file}-shm`, 'shm garbage');
    const db = openStateDatabase(file, logger, () => NOW);
    expect(tables(db)).toEqual(expect.arrayContaining(['job_logs', 'jobs']));
    db.close();

    const aside = join(dir, 'state.db.corrupt-20261122T042502Z');
    expect(readFileSync(aside)).toEqual(GARBAGE);
    expect(readFileSync(`${aside}-wal`, 'utf8')).toBe('wal garbage');
    // The -shm is only an index SQLite rebuilds from the -wal; it moves along but may be rewritten.
    expect(existsSync(`${aside}-shm`)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('state.db-'))).toEqual([]);
    expect(logged).toHaveLength(1);
    const message = (logged[0] as { msg: string }).msg;
    expect(message).toContain(file);
    expect(message).toContain(aside);
    expect(message).toMatch(/not a database/);
  });

  it('never overwrites an earlier corrupt copy', () => {
    writeFileSync(file, GARBAGE);
    openStateDatabase(file, logger, () => NOW).close();
    writeFileSync(file, 'garbage again, a second time, long enough to be a header'.repeat(10));
    openStateDatabase(file, logger, () => NOW).close();
    expect(
      readdirSync(dir)
        .filter((f) => f.includes('corrupt'))
        .sort(),
    ).toEqual(['state.db.corrupt-20261122T042502Z', 'state.db.corrupt-20261122T042502Z-1']);
  });

  it('moves aside a database whose pages are damaged', () => {
    const db = openStateDatabase(file, logger, () => NOW);
    db.pragma('journal_mode = DELETE');
    const insert = db.prepare(
      "INSERT INTO jobs (operation, trigger, priority, state, queued_at, steps, warnings, snapshot_ids, params) VALUES ('backup', 'api', 0, 'succeeded', ?, '[]', '[]', '[]', '{}')",
    );
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`2026-01-01T00:00:${i}`);
    })();
    db.close();
    const bytes = readFileSync(file);
    // Overwrite the middle pages (keep the 100-byte header so that it still looks like SQLite).
    bytes.fill(0xa5, 4096 * 2, bytes.length - 4096);
    writeFileSync(file, bytes);
    const fresh = openStateDatabase(file, logger, () => NOW);
    expect(fresh.prepare('SELECT COUNT(*) AS n FROM jobs').get()).toEqual({ n: 0 });
    fresh.close();
    expect(existsSync(join(dir, 'state.db.corrupt-20261122T042502Z'))).toBe(true);
    expect(logged).toHaveLength(1);
  });

  it('refuses, and leaves alone, a state database it cannot open (a folder in the way)', () => {
    mkdirSync(file);
    expect(() => openStateDatabase(file, logger, () => NOW)).toThrow(StateDatabaseError);
    expect(() => openStateDatabase(file, logger, () => NOW)).toThrow(
      new RegExp(`${file}.*cannot be opened.*left it untouched`),
    );
    expect(readdirSync(dir)).toEqual(['state.db']);
  });

  it('refuses, and leaves alone, a state database SQLite can only open read-only', () => {
    // Permission bits cannot produce this when the tests run as root, who bypasses them, so the
    // SQLITE_READONLY answer is simulated.
    const db = openStateDatabase(file, logger, () => NOW);
    db.close();
    const spy = jest.spyOn(Database.prototype, 'pragma').mockImplementationOnce(() => {
      throw Object.assign(new Error('attempt to write a readonly database'), {
        code: 'SQLITE_READONLY',
      });
    });
    expect(() => openStateDatabase(file, logger, () => NOW)).toThrow(/left it untouched/);
    spy.mockRestore();
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toEqual([]);
  });
});
