/** Reading restic's `--json` messages (0.14 and newer) into hen-backup's types. */
import { getSystemErrorName } from 'node:util';
import type {
  BackupProgress,
  BackupResult,
  ForgetResult,
  KeepPolicy,
  ResticSnapshot,
} from './restic.types';

type Json = Record<string, unknown>;

export function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a line when it holds a JSON object; anything else is undefined. */
export function parseJsonObject(line: string): Json | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const num = (value: unknown, fallback = 0): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** restic omits zero-valued fields, so every one of them has a default. */
export function toBackupProgress(status: Json): BackupProgress {
  return {
    percentDone: Math.min(1, Math.max(0, num(status.percent_done))),
    filesDone: num(status.files_done),
    totalFiles: num(status.total_files),
    bytesDone: num(status.bytes_done),
    totalBytes: num(status.total_bytes),
    secondsElapsed: num(status.seconds_elapsed),
    secondsRemaining:
      typeof status.seconds_remaining === 'number' ? status.seconds_remaining : null,
    currentFiles: strings(status.current_files),
  };
}

export function toBackupResult(
  summary: Json,
  snapshotId: string,
  partial: boolean,
  warnings: string[],
): BackupResult {
  return {
    snapshotId,
    filesNew: num(summary.files_new),
    filesChanged: num(summary.files_changed),
    filesUnmodified: num(summary.files_unmodified),
    dataAdded: num(summary.data_added),
    totalFilesProcessed: num(summary.total_files_processed),
    totalBytesProcessed: num(summary.total_bytes_processed),
    durationSeconds: num(summary.total_duration),
    partial,
    warnings,
  };
}

export function toResticSnapshot(raw: Json): ResticSnapshot {
  const id = str(raw.id) ?? '';
  const snapshot: ResticSnapshot = {
    id,
    shortId: str(raw.short_id) ?? id.slice(0, 8),
    time: str(raw.time) ?? '',
    hostname: str(raw.hostname) ?? '',
    paths: strings(raw.paths),
    tags: strings(raw.tags),
    tree: str(raw.tree) ?? '',
  };
  const username = str(raw.username);
  if (username !== undefined) snapshot.username = username;
  const parent = str(raw.parent);
  if (parent !== undefined) snapshot.parent = parent;
  return snapshot;
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EIO: 'input/output error',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ESTALE: 'stale file handle',
};

function errnoText(errno: number): string {
  try {
    const name = getSystemErrorName(-Math.abs(errno));
    return ERRNO_TEXT[name] ?? name;
  } catch {
    return `errno ${errno}`;
  }
}

/**
 * A readable line for restic's `error` message. restic 0.14 serialises the Go error as is: a
 * PathError gives {Op, Path, Err: errno}, most others an empty object; newer versions give
 * {message}.
 */
export function describeErrorMessage(message: Json): string {
  const item = str(message.item);
  const error = message.error;
  let reason: string | undefined;
  if (typeof error === 'string' && error.length > 0) reason = error;
  else if (isJsonObject(error)) {
    const text = str(error.message);
    if (text) reason = text;
    else if (str(error.Op) && typeof error.Err === 'number') {
      reason = `${str(error.Op)}: ${errnoText(error.Err)}`;
    }
  }
  if (!item) return reason ?? 'restic reported an error';
  if (!reason) return `${item}: could not be read`;
  return reason.includes(item) ? reason : `${item}: ${reason}`;
}

const KEEP_FLAGS: [keyof KeepPolicy, string][] = [
  ['keepLast', '--keep-last'],
  ['keepHourly', '--keep-hourly'],
  ['keepDaily', '--keep-daily'],
  ['keepWeekly', '--keep-weekly'],
  ['keepMonthly', '--keep-monthly'],
  ['keepYearly', '--keep-yearly'],
  ['keepWithin', '--keep-within'],
];

export function keepFlags(policy: KeepPolicy): string[] {
  return KEEP_FLAGS.filter(([key]) => policy[key] !== undefined).map(
    ([key, flag]) => `${flag}=${String(policy[key])}`,
  );
}

/** `forget --json` prints one array of groups, each with the snapshots kept and removed. */
export function toForgetResult(text: string): ForgetResult {
  const trimmed = text.trim();
  const groups: unknown = trimmed === '' ? [] : JSON.parse(trimmed);
  const result: ForgetResult = { keep: [], remove: [] };
  if (!Array.isArray(groups)) return result;
  for (const group of groups.filter(isJsonObject)) {
    for (const key of ['keep', 'remove'] as const) {
      const snapshots = Array.isArray(group[key]) ? group[key] : [];
      for (const snapshot of snapshots.filter(isJsonObject)) {
        const id = str(snapshot.id);
        if (id) result[key].push(id);
      }
    }
  }
  return result;
}
