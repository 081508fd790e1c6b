import type { HookStage } from '../../config/read-hooks';
import type { JobLogLevel } from '../../jobs/job.types';

export type { HookStage };

/** How the job has gone so far, as after hooks see it (`when`, HEN_BACKUP_STATUS). */
export type BackupStatus = 'success' | 'failure';

/** What one hook run knows about its job, and where it reports. */
export interface HookInvocation {
  stage: HookStage;
  backup: string;
  jobId: number;
  /** set for after hooks only: a before hook runs before there is anything to report */
  status?: BackupStatus;
  /** the job's signal: a cancel or maxDuration stops the hook */
  signal: AbortSignal;
  /** into the hook's step log; `source` extends the log path (stdout, stderr, response) */
  log(level: JobLogLevel, message: string, source?: string): void;
}

/** `reason` is short and names no hook: the caller prefixes the hook's label. */
export type HookResult = { ok: true } | { ok: false; reason: string };
