import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeInfo } from '../common/runtime-info';
import type { HenConfig } from '../config/config.types';
import { StateDatabase } from '../jobs/state-database';
import { HealthService } from './health.service';

describe('HealthService', () => {
  let dir: string;
  let database: StateDatabase;
  let runtime: RuntimeInfo;
  let health: HealthService;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-health-'));
    const config = { dataDir: dir } as HenConfig;
    database = new StateDatabase(config);
    runtime = new RuntimeInfo();
    health = new HealthService(config, database, runtime);
  });

  afterEach(() => {
    database.onApplicationShutdown();
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
      },
    });
  });

  it('is not ready once the state database is closed', () => {
    runtime.resticVersion = '0.14.0';
    database.onApplicationShutdown();
    expect(health.readiness()).toMatchObject({
      status: 'not ready',
      checks: { database: { ok: false, detail: 'the state database is closed' } },
    });
  });
});
