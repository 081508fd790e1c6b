import type { Readable } from 'node:stream';
import type { Limits, RetentionConfig } from '../config/config.types';
import type { LockWaitPolicy } from './lock-retry';

/** Everything restic needs to reach one repository. */
export interface ResticTarget {
  /** repository name from the configuration, for messages */
  name: string;
  location: string;
  /** RESTIC_PASSWORD and the provider's variables; never put on the command line */
  env: Record<string, string>;
  /** global arguments the backend needs, e.g. `--cacert file` or `-o sftp.command=...` */
  args?: string[];
}

/** A line restic wrote that is worth keeping in a job log (stderr, or a non-status JSON message). */
export interface ResticLogLine {
  stream: 'stdout' | 'stderr';
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface ResticCallOptions {
  /** abort sends restic SIGINT (it removes its lock), then SIGKILL after killGraceMs */
  signal?: AbortSignal;
  /** the effective limits of this call; when absent, the configuration's global `limits` */
  limits?: Limits;
  onLog?: (line: ResticLogLine) => void;
  /** time between SIGINT and SIGKILL on abort; default 10 s */
  killGraceMs?: number;
  /** wait for a repository locked by another process instead of failing at once */
  lockWait?: LockWaitPolicy;
}

export interface BackupRequest {
  paths: string[];
  excludes: string[];
  host: string;
  tags: string[];
}

export interface BackupProgress {
  /** 0..1 */
  percentDone: number;
  filesDone: number;
  totalFiles: number;
  bytesDone: number;
  totalBytes: number;
  secondsElapsed: number;
  secondsRemaining: number | null;
  currentFiles: string[];
}

export interface BackupResult {
  /** full 64-hex snapshot id (restic 0.14 prints a short one; it is resolved) */
  snapshotId: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dataAdded: number;
  totalFilesProcessed: number;
  totalBytesProcessed: number;
  durationSeconds: number;
  /** exit code 3: a snapshot was made but some files could not be read */
  partial: boolean;
  warnings: string[];
}

export interface ResticSnapshot {
  id: string;
  shortId: string;
  time: string;
  hostname: string;
  username?: string;
  paths: string[];
  tags: string[];
  tree: string;
  parent?: string;
}

export interface SnapshotFilter {
  host?: string;
  tags?: string[];
  paths?: string[];
  /**
   * Read without taking a lock (`--no-lock`): for callers that tolerate a concurrent prune (the
   * snapshot index is a cache), so that they never leave a lock file behind or show one.
   */
  noLock?: boolean;
}

/** Options of ResticService.run, the generic call every other method goes through. */
export interface ResticRunOptions extends ResticCallOptions {
  /** add `--json` and hand every stdout line that parses to onJson (others go to onLog) */
  json?: boolean;
  /** parsed JSON messages, from stdout and (restic 0.14 prints `error` messages there) stderr */
  onJson?: (message: unknown) => void;
  /** every raw stdout line; when given, plain-text stdout is not logged */
  onStdoutLine?: (line: string) => void;
  /** stdout as raw bytes (not split into lines, not logged); the callee must consume it */
  onStdoutStream?: (stdout: Readable) => void;
  /** every stderr line (terminal escapes removed), before it is logged */
  onStderrLine?: (line: string) => void;
  /** treat exit code 3 (snapshot made, some files unreadable) as success */
  allowPartial?: boolean;
  /** raise for commands that print one large JSON document on a single line */
  maxLineLength?: number;
}

export interface ResticRunResult {
  /** 0, or 3 when allowPartial was set */
  exitCode: number;
}

export interface BackupOptions extends ResticCallOptions {
  /** every status message restic prints; throttling is the caller's business */
  onProgress?: (progress: BackupProgress) => void;
}

export interface UnlockOptions extends ResticCallOptions {
  /** also remove locks that are not stale (`--remove-all`); only when nothing else runs */
  removeAll?: boolean;
}

/** restic's keep policy: the configuration's retention keys are restic's own. */
export type KeepPolicy = RetentionConfig;

export interface ForgetRequest {
  policy: KeepPolicy;
  host: string;
  tags: string[];
  /** also prune unreferenced data in the same run */
  prune: boolean;
}

export interface ForgetResult {
  keep: string[];
  remove: string[];
}

/** One entry of `restic ls --json <snapshot>`. */
export interface ResticLsNode {
  name: string;
  /** restic's type: file, dir, symlink, dev, chardev, fifo, socket, ... */
  type: string;
  /** absolute path inside the snapshot */
  path: string;
  /** bytes; 0 for anything but files */
  size: number;
  mtime: string;
  /** unix permission bits (restic's Go file mode without its type bits) */
  mode: number;
}

/** One line of `restic diff`: `+` added, `-` removed, `M` content changed, `U` metadata, `T` type. */
export interface ResticDiffChange {
  path: string;
  modifier: string;
}

export interface ResticDiffCounts {
  files: number;
  dirs: number;
  others: number;
  /** bytes of the blobs only one side has (restic's own measure) */
  bytes: number;
}

export interface ResticDiffStatistics {
  changedFiles: number;
  added: ResticDiffCounts;
  removed: ResticDiffCounts;
}

export type ResticStatsMode = 'restore-size' | 'raw-data';

export interface ResticStats {
  totalSize: number;
  /** restore-size counts every node (files, folders, links); raw-data gives 0 */
  totalFileCount: number;
  snapshotsCount: number;
}

export interface RestoreRequest {
  snapshotId: string;
  /** absolute folder; restic recreates the snapshot's absolute paths below it */
  target: string;
  include: string[];
  exclude: string[];
}

/** restic ≥ 0.16 prints these with `restore --json`; 0.14 prints nothing. */
export interface RestoreProgress {
  /** 0..1 */
  percentDone: number;
  filesRestored: number;
  totalFiles: number;
  bytesRestored: number;
  totalBytes: number;
  secondsElapsed: number;
}

export interface RestoreOptions extends ResticCallOptions {
  onProgress?: (progress: RestoreProgress) => void;
}

export interface RestoreResult {
  /** restic's JSON summary, when this restic prints one (≥ 0.16) */
  summary: RestoreProgress | null;
}

/** `restic dump`: one file's bytes, or a folder as an archive. */
export interface DumpRequest {
  /** a full id, or a hex prefix of one */
  snapshotId: string;
  /** absolute path inside the snapshot ("/" for the whole snapshot) */
  path: string;
  /** for folders (restic ≥ 0.12 has both; a file is dumped as itself whatever this says) */
  archive?: 'tar' | 'zip';
}
