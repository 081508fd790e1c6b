import { Injectable, Optional } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { LiveConfig } from '../config/live-config';
import { maskSecrets } from './mask';
import { Clock } from '../common/clock';
import { retryWhileLocked } from './lock-retry';
import { isStaleHere, lockHolder } from './stale-lock';
import { ProcessRunner, ProcessSpawnError } from './process-runner';
import { limitFlags, passThroughEnv, tieToDaemon, wrapWithPriority } from './restic-command';
import { describeNoSpace } from './disk-full';
import { fullSnapshotIdFromCache } from './snapshot-id-from-cache';
import { INSTALL_HINT, ResticError, classifyResticFailure, stripAnsi } from './restic-error';
import {
  describeErrorMessage,
  isJsonObject,
  parseJsonObject,
  toBackupProgress,
  keepFlags,
  toBackupResult,
  toForgetResult,
  toResticSnapshot,
} from './restic-json';
import { toDiffStatistics, toLsNode, toResticStats, toRestoreProgress } from './restic-browse-json';
import { MIN_RESTIC_VERSION, compareVersions, parseResticVersion } from './restic-version';
import type {
  BackupOptions,
  BackupRequest,
  ForgetRequest,
  ForgetResult,
  BackupResult,
  DumpRequest,
  ResticCallOptions,
  ResticDiffChange,
  ResticDiffStatistics,
  ResticLogLine,
  ResticLsNode,
  ResticStats,
  ResticStatsMode,
  RestoreOptions,
  RestoreProgress,
  RestoreRequest,
  RestoreResult,
  ResticRunOptions,
  ResticRunResult,
  ResticSnapshot,
  ResticTarget,
  SnapshotFilter,
  UnlockOptions,
} from './restic.types';

/** stderr kept for classifying a failure; restic's verdict is always at the end. */
const STDERR_TAIL_CHARS = 64 * 1024;
const STDERR_TAIL_LINE_CHARS = 4 * 1024;
/** `snapshots --json` prints the whole list on one line. */
const JSON_DOCUMENT_MAX_CHARS = 512 * 1024 * 1024;
/** a backup over a tree of unreadable files must not hold millions of warnings in memory */
const MAX_WARNINGS = 1000;
const FULL_ID = /^[0-9a-f]{64}$/;

class TailBuffer {
  private lines: string[] = [];
  private size = 0;

  constructor(private readonly maxChars: number) {}

  push(line: string): void {
    const kept =
      line.length > STDERR_TAIL_LINE_CHARS ? line.slice(0, STDERR_TAIL_LINE_CHARS) : line;
    this.lines.push(kept);
    this.size += kept.length + 1;
    while (this.size > this.maxChars && this.lines.length > 1) {
      this.size -= this.lines.shift()!.length + 1;
    }
  }

  text(): string {
    return this.lines.join('\n');
  }
}

/** restic writes informational lines on stderr too; only some of them are problems. */
function stderrLevel(line: string): ResticLogLine['level'] {
  if (/^(Fatal|error)\b|unable to create lock|^\{/i.test(line)) return 'error';
  if (/warning|skipping|could not|cannot|permission denied|failed|ignoring/i.test(line)) {
    return 'warn';
  }
  return 'info';
}

class WarningList {
  readonly items: string[] = [];
  private readonly seen = new Set<string>();
  private dropped = 0;

  add(text: string): void {
    if (this.seen.has(text)) return;
    if (this.items.length >= MAX_WARNINGS) {
      this.dropped++;
      return;
    }
    this.seen.add(text);
    this.items.push(text);
  }

  list(): string[] {
    return this.dropped > 0 ? [...this.items, `… and ${this.dropped} more warnings`] : this.items;
  }
}

/**
 * Commands that honour the global --no-lock on restic 0.14 and later (measured: without it,
 * snapshots, stats, dump, restore, diff and find fail on a repository whose locks folder cannot be
 * written; ls never locks). A read-only daemon passes it, so that it can browse and restore from a
 * repository another daemon writes to, without ever writing a lock file.
 */
const NO_LOCK_COMMANDS: ReadonlySet<string> = new Set([
  'snapshots',
  'ls',
  'stats',
  'dump',
  'restore',
  'diff',
  'find',
]);

/** Commands that take no lock, so that a canceled run leaves none to clean up. */
const NEVER_LOCKING_COMMANDS: ReadonlySet<string> = new Set(['ls', 'unlock']);

/** The only code that runs restic. Secrets travel in the environment, never in arguments. */
@Injectable()
export class ResticService {
  constructor(
    private readonly config: LiveConfig,
    private readonly runner: ProcessRunner,
    // the app's shared Clock; a ResticModule used on its own keeps real time
    @Optional() private readonly clock: Clock = new Clock(),
  ) {}

  /** The restic binary: RESTIC_BIN, read at each call, or `restic` from PATH. */
  get binary(): string {
    return process.env.RESTIC_BIN?.trim() || 'restic';
  }

  /**
   * Runs `restic [backend args] [limits] ...args` for the target, streaming its output line by
   * line. The location travels in RESTIC_REPOSITORY because it may hold credentials (a REST URL
   * with a password), which must not be readable in the process list. With `lockWait`, a run
   * refused because another process holds the repository is tried again after each pause.
   * Rejects with a ResticError (CANCELED when the signal fired).
   */
  async run(
    target: ResticTarget,
    args: string[],
    opts: ResticRunOptions = {},
  ): Promise<ResticRunResult> {
    const limits = opts.limits ?? this.config.current.limits;
    // --json is global: before the subcommand it cannot land behind a `--`
    const json = opts.json && !args.includes('--json') ? ['--json'] : [];
    const noLock =
      this.config.current.readOnly && NO_LOCK_COMMANDS.has(args[0]) && !args.includes('--no-lock')
        ? ['--no-lock']
        : [];
    const resticArgs = [...(target.args ?? []), ...limitFlags(limits), ...json, ...noLock, ...args];
    // whether a canceled run may have left its lock behind; a read-only daemon never cleans up,
    // since removing a lock is a write to the repository
    const commandLocks =
      !this.config.current.readOnly &&
      !resticArgs.includes('--no-lock') &&
      !NEVER_LOCKING_COMMANDS.has(args[0]);
    const attempt = () =>
      this.exec(
        target,
        resticArgs,
        opts,
        tieToDaemon(wrapWithPriority([this.binary, ...resticArgs], limits)),
        commandLocks,
      );
    if (!commandLocks) return attempt();
    return retryWhileLocked(attempt, opts.lockWait, this.clock, opts.signal, (error) =>
      this.removeStaleLock(target, error, opts),
    );
  }

  /**
   * When the lock that refused a run is stale by restic's rule (made on this host by a process
   * that is gone, e.g. a restic that was SIGKILLed), `restic unlock` removes it, and only such
   * locks; true when that was done, so the run can be tried again at once.
   */
  private async removeStaleLock(
    target: ResticTarget,
    error: ResticError,
    opts: ResticRunOptions,
  ): Promise<boolean> {
    const holder = lockHolder(error.detail);
    if (!holder || !isStaleHere(holder)) return false;
    try {
      await this.exec(target, [...(target.args ?? []), 'unlock'], { signal: opts.signal });
    } catch {
      return false;
    }
    opts.onLog?.({
      stream: 'stderr',
      level: 'warn',
      text: `removed a stale lock of restic PID ${holder.pid} on this host (that process is gone); trying again`,
    });
    return true;
  }

  /** `restic version` → "0.14.0". */
  async version(opts: Pick<ResticCallOptions, 'signal'> = {}): Promise<string> {
    const lines: string[] = [];
    await this.exec(null, ['version'], {
      signal: opts.signal,
      onStdoutLine: (line) => lines.push(line),
    });
    const output = lines.join('\n');
    const version = parseResticVersion(output);
    if (!version) {
      throw new ResticError(
        'RESTIC_FAILED',
        `"${this.binary} version" printed no restic version: ${output.slice(0, 200)}`,
      );
    }
    return version;
  }

  /** The version, when it is one hen-backup supports; otherwise a ResticError saying what to do. */
  async assertSupportedVersion(): Promise<string> {
    const version = await this.version();
    if (compareVersions(version, MIN_RESTIC_VERSION) < 0) {
      throw new ResticError(
        'RESTIC_TOO_OLD',
        `restic ${version} is too old: hen-backup needs ${MIN_RESTIC_VERSION} or newer; ${INSTALL_HINT}`,
      );
    }
    return version;
  }

  /**
   * Whether a restic repository answers at the target's location. Only a missing repository
   * gives false: a wrong password or an unreachable backend rejects.
   */
  async repositoryExists(target: ResticTarget, opts: ResticCallOptions = {}): Promise<boolean> {
    return (await this.repositoryId(target, opts)) !== null;
  }

  /**
   * The repository's own id (from its config file), which stays the same wherever it is reached
   * from; null when no repository is at the location. A wrong password or an unreachable backend
   * rejects.
   */
  async repositoryId(target: ResticTarget, opts: ResticCallOptions = {}): Promise<string | null> {
    // restic's "Fatal: unable to open config file" is the expected answer for a new repository,
    // not an error to log: its lines are passed on only when they say something else
    const lines: ResticLogLine[] = [];
    const passOn = () => lines.forEach((line) => opts.onLog?.(line));
    const stdout: string[] = [];
    try {
      await this.run(target, ['cat', 'config'], {
        ...opts,
        onLog: (line) => lines.push(line),
        onStdoutLine: (line) => stdout.push(line),
      });
    } catch (error) {
      if (error instanceof ResticError && error.code === 'REPOSITORY_NOT_FOUND') return null;
      passOn();
      throw error;
    }
    passOn();
    const config = parseJsonObject(stdout.join('\n'));
    if (!config || typeof config.id !== 'string' || config.id === '') {
      throw new ResticError(
        'RESTIC_FAILED',
        `restic cat config for repository ${JSON.stringify(target.name)} printed no repository id`,
        { repository: target.name },
      );
    }
    return config.id;
  }

  async init(target: ResticTarget, opts: ResticCallOptions = {}): Promise<void> {
    await this.run(target, ['init'], opts);
  }

  async backup(
    target: ResticTarget,
    req: BackupRequest,
    opts: BackupOptions = {},
  ): Promise<BackupResult> {
    if (req.paths.length === 0) throw new TypeError('a backup needs at least one path');
    const relative = req.paths.filter((p) => !isAbsolute(p));
    if (relative.length > 0) {
      // restic records relative paths as given, which makes odd snapshot trees
      throw new TypeError(`backup paths must be absolute: ${relative.join(', ')}`);
    }
    const args = ['backup', `--host=${req.host}`];
    for (const exclude of req.excludes) args.push(`--exclude=${exclude}`);
    for (const tag of req.tags) args.push(`--tag=${tag}`);
    args.push('--', ...req.paths);

    const secrets = this.secretsFor(target);
    const warnings = new WarningList();
    let summary: Record<string, unknown> | undefined;
    // wall clock on purpose: compared with the cache file's mtime (see fullSnapshotIdFromCache)
    const startedAt = Date.now() - 1000;
    const { exitCode } = await this.run(target, args, {
      ...opts,
      json: true,
      allowPartial: true,
      onJson: (message) => {
        if (!isJsonObject(message)) return;
        switch (message.message_type) {
          case 'status':
            opts.onProgress?.(toBackupProgress(message));
            break;
          case 'error':
            warnings.add(maskSecrets(describeErrorMessage(message), secrets));
            break;
          case 'summary':
            summary = message;
            break;
        }
      },
      onStderrLine: (line) => {
        if (/does not exist, skipping$/.test(line)) warnings.add(maskSecrets(line, secrets));
      },
    });
    if (exitCode === 3 && warnings.items.length === 0) {
      warnings.add('at least one source file could not be read');
    }
    const shortId = summary && typeof summary.snapshot_id === 'string' ? summary.snapshot_id : '';
    if (!summary || !shortId) {
      throw new ResticError(
        'RESTIC_FAILED',
        `restic backup to repository ${JSON.stringify(target.name)} reported no snapshot`,
        { exitCode, repository: target.name },
      );
    }
    const snapshotId =
      (await fullSnapshotIdFromCache(this.cacheDir(), shortId, startedAt)) ??
      (await this.resolveSnapshotId(target, shortId, opts));
    return toBackupResult(summary, snapshotId, exitCode === 3, warnings.list());
  }

  async snapshots(
    target: ResticTarget,
    filter: SnapshotFilter = {},
    opts: ResticCallOptions = {},
  ): Promise<ResticSnapshot[]> {
    const args: string[] = [];
    if (filter.host !== undefined) args.push(`--host=${filter.host}`);
    // one comma-joined --tag means "all of these"; repeated --tag would mean "any of these"
    if (filter.tags && filter.tags.length > 0) args.push(`--tag=${filter.tags.join(',')}`);
    for (const path of filter.paths ?? []) args.push(`--path=${path}`);
    if (filter.noLock) args.push('--no-lock');
    return this.listSnapshots(target, args, opts);
  }

  /**
   * Forgets the snapshots a policy does not keep, among those with all the tags on the host,
   * grouped by host and tags so that a backup whose paths changed still forms one history.
   */
  async forget(
    target: ResticTarget,
    req: ForgetRequest,
    opts: ResticCallOptions = {},
  ): Promise<ForgetResult> {
    const args = ['forget', `--host=${req.host}`, '--group-by=host', ...keepFlags(req.policy)];
    if (req.tags.length > 0) args.push(`--tag=${req.tags.join(',')}`);
    // restic 0.14 mixes prune's report into stdout unless quiet
    if (req.prune) args.push('--prune', '-q');
    const lines: string[] = [];
    await this.run(target, ['--json', ...args], {
      ...opts,
      maxLineLength: JSON_DOCUMENT_MAX_CHARS,
      onStdoutLine: (line) => lines.push(line),
    });
    try {
      return toForgetResult(lines.join('\n'));
    } catch {
      throw new ResticError(
        'RESTIC_FAILED',
        `restic forget for repository ${JSON.stringify(target.name)} printed no valid JSON`,
        { repository: target.name },
      );
    }
  }

  /** Forgets exactly these snapshots (full ids); their data stays until a prune. */
  async forgetSnapshots(
    target: ResticTarget,
    ids: string[],
    opts: ResticCallOptions = {},
  ): Promise<void> {
    if (ids.length === 0) throw new TypeError('forget needs at least one snapshot id');
    await this.run(target, ['forget', '--', ...ids], opts);
  }

  /** Removes data no snapshot refers to any more. */
  async prune(target: ResticTarget, opts: ResticCallOptions = {}): Promise<void> {
    await this.run(target, ['prune'], opts);
  }

  /** Verifies the repository; a damaged one rejects, with restic's findings in the log lines. */
  async check(
    target: ResticTarget,
    readDataSubset: string | undefined,
    opts: ResticCallOptions = {},
  ): Promise<void> {
    const args = ['check'];
    if (readDataSubset) args.push(`--read-data-subset=${readDataSubset}`);
    await this.run(target, args, opts);
  }

  /** Removes stale locks (all locks with removeAll). */
  async unlock(target: ResticTarget, opts: UnlockOptions = {}): Promise<void> {
    await this.run(target, opts.removeAll ? ['unlock', '--remove-all'] : ['unlock'], opts);
  }

  /** Ids of the lock files in the repository; listing takes no lock itself. */
  async listLocks(target: ResticTarget, opts: ResticCallOptions = {}): Promise<string[]> {
    const ids: string[] = [];
    await this.run(target, ['list', 'locks', '--no-lock'], {
      ...opts,
      onStdoutLine: (line) => {
        const id = line.trim();
        if (FULL_ID.test(id)) ids.push(id);
      },
    });
    return ids;
  }

  /**
   * Streams `restic ls --json <snapshot>`: every node goes to onNode as its line arrives, so a
   * listing of millions of files is never held as text. Resolves with the snapshot's full id
   * ('' when no snapshot matches: restic 0.14 says so on stderr and exits 0), also given to
   * onSnapshot as soon as restic prints it, before any node.
   *
   * With `folder` (absolute), `restic ls --json <snapshot> -- <folder>`: without --recursive,
   * restic prints only that folder's node (none for "/" or a path not in the snapshot) and its
   * direct children, and walks no further than the path down to it. `background` runs restic at
   * the lowest CPU priority (nice 19), so that it leaves the processor to runs someone waits on.
   */
  async ls(
    target: ResticTarget,
    snapshotId: string,
    onNode: (node: ResticLsNode) => void,
    opts: ResticCallOptions & {
      folder?: string;
      onSnapshot?: (fullId: string) => void;
      background?: boolean;
    } = {},
  ): Promise<string> {
    const { folder, onSnapshot, background, ...callOpts } = opts;
    if (folder !== undefined && !isAbsolute(folder)) {
      throw new TypeError('a snapshot folder must be absolute');
    }
    const limits = callOpts.limits ?? this.config.current.limits;
    let fullId = '';
    await this.run(
      target,
      folder === undefined ? ['ls', snapshotId] : ['ls', snapshotId, '--', folder],
      {
        ...callOpts,
        limits: background ? { ...limits, nice: 19 } : limits,
        json: true,
        onJson: (message) => {
          if (!isJsonObject(message)) return;
          if (message.struct_type === 'snapshot' || message.message_type === 'snapshot') {
            if (typeof message.id === 'string') {
              fullId = message.id;
              onSnapshot?.(fullId);
            }
            return;
          }
          const node = toLsNode(message);
          if (node) onNode(node);
        },
      },
    );
    return fullId;
  }

  /** Streams `restic diff --json from to` (0.14 has it): each change, then the statistics. */
  async diff(
    target: ResticTarget,
    from: string,
    to: string,
    onChange: (change: ResticDiffChange) => void,
    opts: ResticCallOptions = {},
  ): Promise<ResticDiffStatistics> {
    let statistics: ResticDiffStatistics | undefined;
    await this.run(target, ['diff', from, to], {
      ...opts,
      json: true,
      onJson: (message) => {
        if (!isJsonObject(message)) return;
        if (message.message_type === 'change' && typeof message.path === 'string') {
          const modifier = typeof message.modifier === 'string' ? message.modifier : '';
          onChange({ path: message.path, modifier });
        } else if (message.message_type === 'statistics') {
          statistics = toDiffStatistics(message);
        }
      },
    });
    if (!statistics) {
      throw new ResticError(
        'RESTIC_FAILED',
        `restic diff for repository ${JSON.stringify(target.name)} printed no statistics`,
        { repository: target.name },
      );
    }
    return statistics;
  }

  /** `restic stats --json --mode=<mode> [snapshot]`; without a snapshot, the whole repository. */
  async stats(
    target: ResticTarget,
    mode: ResticStatsMode,
    snapshotId?: string,
    opts: ResticCallOptions = {},
  ): Promise<ResticStats> {
    let stats: ResticStats | undefined;
    const args = ['stats', `--mode=${mode}`, ...(snapshotId ? [snapshotId] : [])];
    await this.run(target, args, {
      ...opts,
      json: true,
      onJson: (message) => {
        if (isJsonObject(message) && 'total_size' in message) stats = toResticStats(message);
      },
    });
    if (!stats) {
      throw new ResticError(
        'RESTIC_FAILED',
        `restic stats for repository ${JSON.stringify(target.name)} printed no valid JSON`,
        { repository: target.name },
      );
    }
    return stats;
  }

  /**
   * `restic restore <snapshot> --target T`. restic ≥ 0.16 prints JSON status with `--json`,
   * passed to onProgress; 0.14 prints none. Errors restic ignored while restoring (it exits 1 at
   * the end) reject with their messages.
   */
  async restore(
    target: ResticTarget,
    req: RestoreRequest,
    opts: RestoreOptions = {},
  ): Promise<RestoreResult> {
    if (!isAbsolute(req.target)) throw new TypeError('a restore target must be absolute');
    const args = ['restore', req.snapshotId, `--target=${req.target}`];
    for (const include of req.include) args.push(`--include=${include}`);
    for (const exclude of req.exclude) args.push(`--exclude=${exclude}`);
    const secrets = this.secretsFor(target);
    const errors = new WarningList();
    let summary: RestoreProgress | null = null;
    try {
      await this.run(target, args, {
        ...opts,
        json: true,
        onJson: (message) => {
          if (!isJsonObject(message)) return;
          if (message.message_type === 'status') opts.onProgress?.(toRestoreProgress(message));
          else if (message.message_type === 'summary') summary = toRestoreProgress(message);
          else if (message.message_type === 'error') {
            errors.add(maskSecrets(describeErrorMessage(message), secrets));
          }
        },
        onStderrLine: (line) => {
          const ignored = /^ignoring error for (.*)$/.exec(line);
          if (ignored) errors.add(maskSecrets(ignored[1], secrets));
        },
      });
    } catch (error) {
      if (error instanceof ResticError && error.code !== 'CANCELED' && errors.items.length > 0) {
        const list = errors.list();
        const shown = list.slice(0, 5).join('; ');
        throw new ResticError(
          'RESTIC_FAILED',
          `restic restore of snapshot ${req.snapshotId} left ${list.length} errors: ${shown}${list.length > 5 ? '; …' : ''}`,
          { exitCode: error.exitCode, detail: error.detail, repository: target.name, cause: error },
        );
      }
      throw error;
    }
    return { summary };
  }

  /**
   * The node at `path` in a snapshot, from `restic ls --json <snapshot> <path>`, which lists only
   * that path and, for a folder, its direct children (never the whole tree). `snapshotId` is the
   * full id, or '' when no snapshot matches (restic 0.14 says so on stderr and exits 0); `node` is
   * null when the path is not in the snapshot, and for the root "/", which has no node.
   */
  async findNode(
    target: ResticTarget,
    snapshotId: string,
    path: string,
    opts: ResticCallOptions = {},
  ): Promise<{ snapshotId: string; node: ResticLsNode | null }> {
    if (!isAbsolute(path)) throw new TypeError('a snapshot path must be absolute');
    let fullId = '';
    let node: ResticLsNode | null = null;
    await this.run(target, ['ls', '--', snapshotId, path], {
      ...opts,
      json: true,
      onJson: (message) => {
        if (!isJsonObject(message)) return;
        if (message.struct_type === 'snapshot' || message.message_type === 'snapshot') {
          if (typeof message.id === 'string') fullId = message.id;
          return;
        }
        const found = toLsNode(message);
        if (found && found.path === path) node = found;
      },
    });
    return { snapshotId: fullId, node };
  }

  /**
   * Streams `restic dump <snapshot> <path>` into `output` as restic writes it: a file as its
   * bytes, a folder as a tar or zip archive (both exist in 0.14). Backpressure holds: a slow
   * reader slows restic down, and nothing is held whole. `output` is never ended here: the caller
   * ends it once this resolves, or destroys it when this rejects, so that a failed dump cannot
   * pass for a complete one. Aborting the signal sends restic SIGINT.
   */
  async dump(
    target: ResticTarget,
    req: DumpRequest,
    output: Writable,
    opts: ResticCallOptions = {},
  ): Promise<void> {
    if (!isAbsolute(req.path)) throw new TypeError('a dump path must be absolute');
    const args = ['dump', ...(req.archive ? [`--archive=${req.archive}`] : [])];
    args.push('--', req.snapshotId, req.path);
    let stdout: Readable | undefined;
    // once aborted nobody reads the output any more: drain restic's pipe so it can exit
    const release = () => {
      stdout?.unpipe(output);
      stdout?.resume();
    };
    opts.signal?.addEventListener('abort', release, { once: true });
    try {
      await this.run(target, args, {
        ...opts,
        onStdoutStream: (stream) => {
          stdout = stream;
          stream.pipe(output, { end: false });
        },
      });
    } finally {
      opts.signal?.removeEventListener('abort', release);
    }
  }

  private async listSnapshots(
    target: ResticTarget,
    args: string[],
    opts: ResticCallOptions,
  ): Promise<ResticSnapshot[]> {
    const lines: string[] = [];
    await this.run(target, ['snapshots', '--json', ...args], {
      ...opts,
      maxLineLength: JSON_DOCUMENT_MAX_CHARS,
      onStdoutLine: (line) => lines.push(line),
    });
    const text = lines.join('\n').trim();
    let parsed: unknown;
    try {
      parsed = text === '' ? [] : JSON.parse(text);
    } catch {
      throw new ResticError(
        'RESTIC_FAILED',
        `restic snapshots for repository ${JSON.stringify(target.name)} printed no valid JSON`,
        { repository: target.name },
      );
    }
    return Array.isArray(parsed) ? parsed.filter(isJsonObject).map(toResticSnapshot) : [];
  }

  /** restic 0.14's backup summary names the snapshot by its short id only. */
  private async resolveSnapshotId(
    target: ResticTarget,
    id: string,
    opts: ResticCallOptions,
  ): Promise<string> {
    if (FULL_ID.test(id)) return id;
    // not cancelable: the snapshot exists, and losing its id would be worse than a second's wait
    const found = await this.listSnapshots(target, [id], {
      limits: opts.limits,
      onLog: opts.onLog,
    });
    const match = found.find((s) => s.id.startsWith(id));
    if (!match) {
      throw new ResticError(
        'RESTIC_FAILED',
        `snapshot ${id} made in repository ${JSON.stringify(target.name)} cannot be found`,
        { repository: target.name },
      );
    }
    return match.id;
  }

  private secretsFor(target: ResticTarget | null): string[] {
    return [...this.config.current.secrets, ...Object.values(target?.env ?? {})];
  }

  private cacheDir(): string {
    return join(this.config.current.dataDir, 'cache');
  }

  private async environment(target: ResticTarget | null): Promise<Record<string, string>> {
    const cacheDir = this.cacheDir();
    const tmpDir = join(this.config.current.dataDir, 'tmp');
    await Promise.all(
      [cacheDir, tmpDir].map((dir) =>
        mkdir(dir, { recursive: true }).catch((error: unknown) => {
          throw noSpaceForFolder(error, dir, target?.name ?? '', this.config.current.dataDir);
        }),
      ),
    );
    return {
      ...passThroughEnv(process.env),
      RESTIC_CACHE_DIR: cacheDir,
      TMPDIR: tmpDir,
      ...(target?.env ?? {}),
      ...(target ? { RESTIC_REPOSITORY: target.location } : {}),
      // restic's JSON status at its default 60 per second is wasted work for us: callers show
      // at most two updates a second
      RESTIC_PROGRESS_FPS: '4',
    };
  }

  private async exec(
    target: ResticTarget | null,
    resticArgs: string[],
    opts: ResticRunOptions,
    commandLine = { command: this.binary, args: resticArgs },
    commandLocks = false,
  ): Promise<ResticRunResult> {
    const repoName = target?.name ?? '';
    const secrets = this.secretsFor(target);
    const canceled = () =>
      new ResticError('CANCELED', `restic was canceled (repository ${JSON.stringify(repoName)})`, {
        repository: target?.name,
      });
    if (opts.signal?.aborted) throw canceled();

    const log = (stream: ResticLogLine['stream'], level: ResticLogLine['level'], text: string) =>
      opts.onLog?.({ stream, level, text: maskSecrets(text, secrets) });
    const tail = new TailBuffer(STDERR_TAIL_CHARS);

    const onStdoutLine = (line: string) => {
      opts.onStdoutLine?.(line);
      if (opts.json) {
        const message = parseJsonObject(line);
        if (message) opts.onJson?.(message);
        else if (line.trim() !== '') log('stdout', 'info', stripAnsi(line));
      } else if (!opts.onStdoutLine && line.trim() !== '') {
        log('stdout', 'info', stripAnsi(line));
      }
    };
    const onStderrLine = (raw: string) => {
      const line = stripAnsi(raw);
      tail.push(line);
      opts.onStderrLine?.(line);
      if (line.trim() === '') return;
      // restic 0.14 prints backup `error` messages as JSON on stderr
      const message = opts.json ? parseJsonObject(line) : undefined;
      if (message && typeof message.message_type === 'string') {
        opts.onJson?.(message);
        if (message.message_type === 'error') {
          log('stderr', 'warn', describeErrorMessage(message));
        }
        return;
      }
      log('stderr', stderrLevel(line), line);
    };

    let result;
    try {
      result = await this.runner.run({
        command: commandLine.command,
        args: commandLine.args,
        env: await this.environment(target),
        signal: opts.signal,
        killGraceMs: opts.killGraceMs,
        maxLineLength: opts.maxLineLength,
        onStdoutLine,
        onStdoutStream: opts.onStdoutStream,
        onStderrLine,
      });
    } catch (error) {
      if (error instanceof ProcessSpawnError) throw this.spawnFailure(error, repoName);
      throw error;
    }

    const { exitCode } = result;
    const succeeded = exitCode === 0 || (exitCode === 3 && opts.allowPartial === true);
    // a run that finished before the SIGINT landed did its work; report that, not a cancel
    if (succeeded && exitCode !== null) return { exitCode };
    if (!result.aborted && exitCode === null && target && commandLocks) {
      // killed from outside (SIGKILL, the OOM killer): restic had no chance to remove its lock,
      // which is stale now that its process is gone
      const removed = await this.removeStaleLocks(target);
      log(
        'stderr',
        'warn',
        `restic was killed (${result.signal ?? 'by a signal'})` +
          (removed ? '; its stale lock was removed' : '; removing its stale lock failed'),
      );
    }
    if (result.aborted) {
      // restic 0.14 does not always remove its lock on SIGINT (dump exits 130 with it in place);
      // its process is gone now, so `unlock` sees the lock as stale and removes only that
      if (target && commandLocks) await this.removeStaleLocks(target);
      throw canceled();
    }
    throw classifyResticFailure(exitCode, tail.text(), repoName, secrets, {
      dataDir: this.config.current.dataDir,
      // local locations are stored as absolute paths; others are URLs or backend:target
      repositoryPath: target && isAbsolute(target.location) ? target.location : undefined,
    });
  }

  /** `restic unlock` (stale locks only); false when it failed. */
  private async removeStaleLocks(target: ResticTarget): Promise<boolean> {
    return this.exec(target, [...(target.args ?? []), 'unlock'], {}).then(
      () => true,
      () => false,
    );
  }

  private spawnFailure(error: ProcessSpawnError, repoName: string): ResticError {
    if (error.command === this.binary) {
      const problem = error.code === 'ENOENT' ? 'was not found' : `cannot be run (${error.code})`;
      return new ResticError(
        'RESTIC_NOT_INSTALLED',
        `restic ${problem} at "${this.binary}"; ${INSTALL_HINT}`,
        { repository: repoName || undefined, cause: error },
      );
    }
    return new ResticError(
      'RESTIC_FAILED',
      `${error.message}, needed to apply the configured nice/ionice limits`,
      { repository: repoName || undefined, cause: error },
    );
  }
}

/** A folder restic needs that cannot be created on a full disk fails the run as DISK_FULL. */
function noSpaceForFolder(error: unknown, dir: string, repoName: string, dataDir: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return error;
  const reason = code === 'ENOSPC' ? 'no space left on device' : 'disk quota exceeded';
  return new ResticError(
    'DISK_FULL',
    describeNoSpace(`mkdir ${dir}: ${reason}`, repoName, { dataDir }),
    {
      repository: repoName || undefined,
      cause: error,
    },
  );
}
