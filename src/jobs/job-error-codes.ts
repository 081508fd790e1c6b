import { RESTIC_ERROR_DESCRIPTIONS } from '../restic/restic-error';

/**
 * Every code a job or step error can carry, with what it means. Anything else a handler throws
 * is answered as INTERNAL (its message still says what happened).
 */
export const JOB_ERROR_CODES = {
  ...RESTIC_ERROR_DESCRIPTIONS,
  TIMED_OUT: 'the job ran longer than its maxDuration and was stopped',
  INTERRUPTED: 'the daemon stopped while the job ran',
  READ_ONLY: 'the daemon is read-only and does not run jobs that write',
  REPOSITORY_MISSING:
    'a repository the daemon opened before is gone from its location (or its disk is not mounted); it is not created again on its own',
  HOOK_FAILED: 'a hook failed',
  BACKUP_FAILED: 'several parts of a backup failed (the message lists them)',
  PRUNE_FAILED: 'retention failed on one or more repositories',
  INTERNAL: 'an unexpected fault inside the daemon',
} as const;

export type JobErrorCode = keyof typeof JOB_ERROR_CODES;

export function knownJobErrorCode(code: string): JobErrorCode {
  return Object.hasOwn(JOB_ERROR_CODES, code) ? (code as JobErrorCode) : 'INTERNAL';
}
