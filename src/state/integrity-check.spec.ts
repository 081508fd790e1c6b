import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quickCheckInWorker } from './integrity-check';

describe('quickCheckInWorker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-check-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function database(rows: number): string {
    const file = join(dir, 'state.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v);');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`value ${i}`.repeat(10));
    })();
    db.close();
    return file;
  }

  it('answers ok for a sound file, read beside a writer', async () => {
    const file = database(2000);
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.prepare("INSERT INTO t (v) VALUES ('more')").run();
    await expect(quickCheckInWorker(file)).resolves.toBe('ok');
    writer.close();
  });

  it("answers SQLite's first problem for damaged pages", async () => {
    const file = database(2000);
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 3, bytes.length - 4096);
    writeFileSync(file, bytes);
    const result = await quickCheckInWorker(file).catch((error: Error) => error.message);
    expect(result).not.toBe('ok');
  });
});
