import { Injectable, Optional } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { HenConfig } from '../config/config.types';
import { LiveConfig } from '../config/live-config';
import { ProcessRunner } from '../process/process-runner';
import { Restic } from '../restic/restic';
import type { ResticSettings } from '../restic/restic-settings';

/** restic's settings from the daemon's configuration; the binary is RESTIC_BIN, or `restic`. */
export function resticSettings(config: HenConfig): ResticSettings {
  return {
    binary: process.env.RESTIC_BIN?.trim() || 'restic',
    dataDir: config.dataDir,
    limits: config.limits,
    readOnly: config.readOnly,
    secrets: config.secrets,
  };
}

/**
 * The app's restic: the wrapper of restic/ bound to the live configuration, read again at each
 * call (RESTIC_BIN too), so that a reload's limits and read-only switch apply to the next run.
 */
@Injectable()
export class ResticService extends Restic {
  constructor(
    config: LiveConfig,
    processes: ProcessRunner,
    // the app's shared Clock; a ResticService used on its own keeps real time
    @Optional() clock: Clock = new Clock(),
  ) {
    super(() => resticSettings(config.current), processes, clock);
  }
}
