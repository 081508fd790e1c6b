/** Reading the JSON of `restic ls`, `diff`, `stats` and `restore` (0.14 and newer). */
import { isJsonObject } from './restic-json';
import type {
  ResticDiffCounts,
  ResticDiffStatistics,
  ResticLsNode,
  ResticStats,
  RestoreProgress,
} from './restic.types';

type Json = Record<string, unknown>;

const num = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Go's os.FileMode keeps the type in high bits and setuid/setgid/sticky elsewhere. */
const GO_SETUID = 1 << 23;
const GO_SETGID = 1 << 22;
const GO_STICKY = 1 << 20;

export function unixMode(goMode: number): number {
  let mode = goMode & 0o777;
  if (goMode & GO_SETUID) mode |= 0o4000;
  if (goMode & GO_SETGID) mode |= 0o2000;
  if (goMode & GO_STICKY) mode |= 0o1000;
  return mode;
}

/** A node line of `ls --json`; the snapshot line and anything else give undefined. */
export function toLsNode(message: Json): ResticLsNode | undefined {
  // restic 0.14 marks lines with struct_type; later versions with message_type
  const kind = str(message.struct_type) || str(message.message_type);
  if (kind !== 'node') return undefined;
  const path = str(message.path);
  if (!path) return undefined;
  return {
    name: str(message.name),
    type: str(message.type),
    path,
    size: num(message.size),
    mtime: str(message.mtime),
    mode: unixMode(num(message.mode)),
  };
}

function diffCounts(value: unknown): ResticDiffCounts {
  const counts = isJsonObject(value) ? value : {};
  return {
    files: num(counts.files),
    dirs: num(counts.dirs),
    others: num(counts.others),
    bytes: num(counts.bytes),
  };
}

export function toDiffStatistics(message: Json): ResticDiffStatistics {
  return {
    changedFiles: num(message.changed_files),
    added: diffCounts(message.added),
    removed: diffCounts(message.removed),
  };
}

export function toResticStats(message: Json): ResticStats {
  return {
    totalSize: num(message.total_size),
    totalFileCount: num(message.total_file_count),
    snapshotsCount: num(message.snapshots_count),
  };
}

/** `restore --json` status and summary lines of restic ≥ 0.16. */
export function toRestoreProgress(message: Json): RestoreProgress {
  const totalBytes = num(message.total_bytes);
  const bytesRestored = num(message.bytes_restored);
  const percent =
    typeof message.percent_done === 'number'
      ? message.percent_done
      : totalBytes > 0
        ? bytesRestored / totalBytes
        : 0;
  return {
    percentDone: Math.min(1, Math.max(0, percent)),
    filesRestored: num(message.files_restored),
    totalFiles: num(message.total_files),
    bytesRestored,
    totalBytes,
    secondsElapsed: num(message.seconds_elapsed),
  };
}
