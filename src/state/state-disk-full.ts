import { statfsSync } from 'node:fs';

/** Below this, an I/O error from SQLite is taken for a full disk (SQLite keeps no errno). */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * A write to the state database failed because its disk is full. The code is the one restic runs
 * get for a full disk, so API callers (a `runBackup` that cannot be recorded) see the same reason.
 */
export class StateDiskFullError extends Error {
  readonly code = 'DISK_FULL';

  constructor(dir: string, options?: { cause?: unknown }) {
    super(
      `the state database cannot be written: no space left on the disk of the data directory ` +
        `${dir}; free space there (hen-backup resumes by itself)`,
      options,
    );
    this.name = 'StateDiskFullError';
  }
}

/**
 * SQLite answers SQLITE_FULL when a write hits ENOSPC; some writes (the WAL index, a sync) come
 * back as SQLITE_IOERR_* instead, which is a full disk only if the disk is (nearly) full now.
 */
export function isStateDiskFull(error: unknown, dir: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (code === 'SQLITE_FULL') return true;
  if (!code.startsWith('SQLITE_IOERR')) return false;
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}
