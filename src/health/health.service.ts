import { Injectable } from '@nestjs/common';
import { RuntimeInfo } from '../common/runtime-info';
import { LiveConfig } from '../config/live-config';
import { StateProbe } from '../state/state-probe';
import { DISK_FOLDER_NAMES, DiskSpace, LOW_DISK_BYTES, formatBytes } from './disk-space';

export interface HealthCheck {
  ok: boolean;
  detail?: string;
  /** the disk check: free bytes in the fullest of the folders the daemon writes to */
  freeBytes?: number;
}

export interface Readiness {
  status: 'ready' | 'not ready';
  checks: { config: HealthCheck; database: HealthCheck; restic: HealthCheck; disk: HealthCheck };
}

/**
 * Readiness: the configuration is loaded, the state database is open and answers a query, and
 * restic was found (and is recent enough) at startup, and the data directory's disk has room
 * (LOW_DISK_BYTES) and took the last write to the state database. Nothing secret is said: no
 * paths, no configuration values, only versions, sizes and generic reasons.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly config: LiveConfig,
    private readonly state: StateProbe,
    private readonly runtime: RuntimeInfo,
    private readonly disk: DiskSpace,
  ) {}

  readiness(): Readiness {
    const checks = {
      config: this.config ? { ok: true } : { ok: false, detail: 'no configuration loaded' },
      database: this.databaseCheck(),
      restic:
        this.runtime.resticVersion === null
          ? { ok: false, detail: 'restic not checked yet (startup not finished) or not usable' }
          : { ok: true, detail: `restic ${this.runtime.resticVersion}` },
      disk: this.diskCheck(),
    };
    const ready = Object.values(checks).every((c) => c.ok);
    return { status: ready ? 'ready' : 'not ready', checks };
  }

  private diskCheck(): HealthCheck {
    const lowest = this.disk.lowest();
    if (!lowest)
      return { ok: false, detail: 'the free space of the data directory cannot be read' };
    const { folder, freeBytes } = lowest;
    const free = `${formatBytes(freeBytes)} free in ${DISK_FOLDER_NAMES[folder]}`;
    return freeBytes < LOW_DISK_BYTES
      ? {
          ok: false,
          detail: `${free}, less than the ${formatBytes(LOW_DISK_BYTES)} needed`,
          freeBytes,
        }
      : { ok: true, detail: free, freeBytes };
  }

  private databaseCheck(): HealthCheck {
    try {
      const probe = this.state.probe();
      switch (probe.state) {
        case 'closed':
          return { ok: false, detail: 'the state database is closed' };
        case 'no-space':
          return {
            ok: false,
            detail: `the state database cannot be written: no space left on its disk (since ${probe.since})`,
          };
        case 'answers':
          return { ok: true };
        case 'silent':
          return { ok: false, detail: 'the state database did not answer' };
      }
    } catch (error) {
      return {
        ok: false,
        detail: `the state database did not answer: ${error instanceof Error ? error.name : 'error'}`,
      };
    }
  }
}
