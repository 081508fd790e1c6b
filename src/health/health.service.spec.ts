import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeInfo } from '../common/runtime-info';
import type { HenConfig } from '../config/config.types';
import { StateDatabase } from '../state/state-database';
import { StateProbe } from '../state/state-probe';
import { DiskSpace, type FolderSpace } from './disk-space';
import { HealthService } from './health.service';
import { LiveConfig } from '../config/live-config';

describe('HealthService', () => {
  let dir: string;
  let database: StateDatabase;
  let runtime: RuntimeInfo;
  let health: HealthService;
  let live: LiveConfig;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-health-'));
    const config = { dataDir: dir } as HenConfig;
    live = new LiveConfig(config);
    database = new StateDatabase(config);
    runtime = new RuntimeInfo();
    health = new HealthService(
      new LiveConfig(config),
      new StateProbe(database),
      runtime,
      new DiskSpace(live),
    );
  });

  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready until restic was found at startup', () => {
    expect(health.readiness()).toMatchObject({
      status: 'not ready',
      checks: { config: { ok: true }, database: { ok: true }, restic: { ok: false } },
    });
    runtime.resticVersion = '0.14.0';
    expect(health.readiness()).toEqual({
      status: 'ready',
      checks: {
        config: { ok: true },
        database: { ok: true },
        restic: { ok: true, detail: 'restic 0.14.0' },
        disk: {
          ok: true,
          detail: expect.stringMatching(/ free in the data /),
          freeBytes: expect.any(Number),
        },
      },
    });
  });

  it('is not ready once the state database is closed', () => {
    runtime.resticVersion = '0.14.0';
    database.close();
    expect(health.readiness()).toMatchObject({
      status: 'not ready',
      checks: { database: { ok: false, detail: 'the state database is closed' } },
    });
  });

  it('is not ready while the fullest folder it writes to has less than 16 MiB free', () => {
    runtime.resticVersion = '0.14.0';
    let tmpFree = 0;
    const disk = new (class extends DiskSpace {
      override measure(): FolderSpace[] {
        return [
          { folder: 'data', freeBytes: 5 * 2 ** 30 },
          { folder: 'cache', freeBytes: 5 * 2 ** 30 },
          { folder: 'tmp', freeBytes: tmpFree },
        ];
      }
    })(live);
    health = new HealthService(live, new StateProbe(database), runtime, disk);
    expect(health.readiness()).toMatchObject({
      status: 'not ready',
      checks: {
        disk: {
          ok: false,
          detail: "0 B free in the data directory's temp folder, less than the 16.0 MiB needed",
          freeBytes: 0,
        },
      },
    });
    tmpFree = 2 ** 30;
    expect(health.readiness()).toMatchObject({
      status: 'ready',
      checks: { disk: { ok: true, detail: "1.0 GiB free in the data directory's temp folder" } },
    });
  });

  it('is not ready while state database writes fail for lack of space, and recovers by itself', () => {
    runtime.resticVersion = '0.14.0';
    // SQLITE_FULL for real: the database may not grow by another page
    database.db.exec('CREATE TABLE filler (x TEXT)');
    const pages = database.db.pragma('page_count', { simple: true }) as number;
    database.db.pragma(`max_page_count = ${pages}`);
    expect(() =>
      database.write(() =>
        database.db.prepare('INSERT INTO filler VALUES (?)').run('x'.repeat(65536)),
      ),
    ).toThrow(expect.objectContaining({ code: 'DISK_FULL', name: 'StateDiskFullError' }));
    expect(database.noSpaceSince).not.toBeNull();
    // max_page_count stops growth only, so the probe (a WAL append) would pass here; on a full
    // disk it fails too (test/e2e/disk-full.test.ts)
    const retryWrite = jest.spyOn(database, 'retryWrite').mockImplementation(() => undefined);
    expect(health.readiness()).toMatchObject({
      status: 'not ready',
      checks: {
        database: {
          ok: false,
          detail: expect.stringMatching(/^the state database cannot be written: no space left/),
        },
      },
    });
    database.db.pragma('max_page_count = 1073741823');
    retryWrite.mockRestore();
    // the readiness check's own probe write succeeds and clears the condition
    expect(health.readiness()).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true } },
    });
    expect(database.noSpaceSince).toBeNull();
  });
});
