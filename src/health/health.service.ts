import { Inject, Injectable } from '@nestjs/common';
import { RuntimeInfo } from '../common/runtime-info';
import { HEN_CONFIG } from '../config/config.constants';
import type { HenConfig } from '../config/config.types';
import { StateDatabase } from '../jobs/state-database';

export interface HealthCheck {
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  status: 'ready' | 'not ready';
  checks: { config: HealthCheck; database: HealthCheck; restic: HealthCheck };
}

/**
 * Readiness: the configuration is loaded, the state database is open and answers a query, and
 * restic was found (and is recent enough) at startup. Nothing secret is said: no paths, no
 * configuration values, only versions and generic reasons.
 */
@Injectable()
export class HealthService {
  constructor(
    @Inject(HEN_CONFIG) private readonly config: HenConfig | undefined,
    private readonly database: StateDatabase,
    private readonly runtime: RuntimeInfo,
  ) {}

  readiness(): Readiness {
    const checks = {
      config: this.config ? { ok: true } : { ok: false, detail: 'no configuration loaded' },
      database: this.databaseCheck(),
      restic:
        this.runtime.resticVersion === null
          ? { ok: false, detail: 'restic not checked yet (startup not finished) or not usable' }
          : { ok: true, detail: `restic ${this.runtime.resticVersion}` },
    };
    const ready = Object.values(checks).every((c) => c.ok);
    return { status: ready ? 'ready' : 'not ready', checks };
  }

  private databaseCheck(): HealthCheck {
    try {
      if (!this.database.db.open) return { ok: false, detail: 'the state database is closed' };
      const row = this.database.db.prepare('SELECT 1 AS one').get() as { one: number } | undefined;
      return row?.one === 1
        ? { ok: true }
        : { ok: false, detail: 'the state database did not answer' };
    } catch (error) {
      return {
        ok: false,
        detail: `the state database did not answer: ${error instanceof Error ? error.name : 'error'}`,
      };
    }
  }
}
