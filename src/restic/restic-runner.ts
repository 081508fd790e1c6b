import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Clock } from '../common/clock';
import type { Limits } from '../config/config.types';
import { tieToDaemon, wrapWithPriority } from '../process/process-priority';
import { ProcessRunner, ProcessSpawnError } from '../process/process-runner';
import { describeNoSpace } from './disk-full';
import { retryWhileLocked } from './lock-retry';
import { isStaleHere, lockHolder } from './stale-lock';
import { maskSecrets } from './mask';
import { limitFlags, passThroughEnv } from './restic-command';
import { INSTALL_HINT, ResticError, classifyResticFailure, stripAnsi } from './restic-error';
import { describeErrorMessage, parseJsonObject } from './restic-json';
import { STDERR_TAIL_CHARS, TailBuffer, stderrLevel } from './restic-output';
import type { ResticSettings } from './restic-settings';
import type {
  ResticLogLine,
  ResticRunOptions,
  ResticRunResult,
  ResticTarget,
} from './restic.types';

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

/** One spawn of restic, with everything decided. */
interface ResticSpawn {
  /** null for a call about the binary itself (`version`) */
  target: ResticTarget | null;
  settings: ResticSettings;
  opts: ResticRunOptions;
  /** the program and its arguments: restic's, maybe behind nice, ionice and setpriv */
  command: string;
  args: string[];
  /** whether a canceled or killed run may have left its lock behind */
  commandLocks: boolean;
}

/**
 * The generic restic call every command goes through: arguments, environment, output parsing,
 * lock waits, stale-lock clean-up and failure classification. Secrets travel in the environment,
 * never in arguments.
 */
export class ResticRunner {
  constructor(
    private readonly settings: () => ResticSettings,
    private readonly processes: ProcessRunner,
    private readonly clock: Clock,
  ) {}

  get binary(): string {
    return this.settings().binary;
  }

  /** Everything to mask in what restic prints for this target. */
  secretsFor(target: ResticTarget | null): string[] {
    return [...this.settings().secrets, ...Object.values(target?.env ?? {})];
  }

  /** The limits of a call that gives none. */
  defaultLimits(): Limits {
    return this.settings().limits;
  }

  cacheDir(): string {
    return join(this.settings().dataDir, 'cache');
  }

  /**
   * Runs `restic [backend args] [limits] ...args` for the target, streaming its output line by
   * line. The location travels in RESTIC_REPOSITORY because it may hold credentials (a REST URL
   * with a password), which must not be readable in the process list. With `lockWait`, a run
   * refused because another process holds the repository is tried again after each pause.
   * Without a target (`restic version`) the binary runs as it is: no limits, no wrappers.
   * Rejects with a ResticError (CANCELED when the signal fired).
   */
  async run(
    target: ResticTarget | null,
    args: string[],
    opts: ResticRunOptions = {},
  ): Promise<ResticRunResult> {
    const settings = this.settings();
    if (!target) {
      return this.spawn({
        target,
        settings,
        opts,
        command: settings.binary,
        args,
        commandLocks: false,
      });
    }
    const limits = opts.limits ?? settings.limits;
    // --json is global: before the subcommand it cannot land behind a `--`
    const json = opts.json && !args.includes('--json') ? ['--json'] : [];
    const noLock =
      settings.readOnly && NO_LOCK_COMMANDS.has(args[0]) && !args.includes('--no-lock')
        ? ['--no-lock']
        : [];
    const resticArgs = [...(target.args ?? []), ...limitFlags(limits), ...json, ...noLock, ...args];
    // whether a canceled run may have left its lock behind; a read-only daemon never cleans up,
    // since removing a lock is a write to the repository
    const commandLocks =
      !settings.readOnly &&
      !resticArgs.includes('--no-lock') &&
      !NEVER_LOCKING_COMMANDS.has(args[0]);
    const line = tieToDaemon(wrapWithPriority([settings.binary, ...resticArgs], limits));
    const attempt = () => this.spawn({ target, settings, opts, ...line, commandLocks });
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
    if (!(await this.unlockStale(target, opts.signal))) return false;
    opts.onLog?.({
      stream: 'stderr',
      level: 'warn',
      text: `removed a stale lock of restic PID ${holder.pid} on this host (that process is gone); trying again`,
    });
    return true;
  }

  /** `restic unlock` (stale locks only), without limits; false when it failed. */
  private unlockStale(target: ResticTarget, signal?: AbortSignal): Promise<boolean> {
    return this.run(target, ['unlock'], { signal, limits: {} }).then(
      () => true,
      () => false,
    );
  }

  /**
   * The folders are made synchronously: awaited through the thread pool, the mkdir calls let
   * whatever else the event loop held (the mutation's answer, the step's announcement) run before
   * restic's spawn instead of while restic starts. They exist after the first run, and the state
   * database already writes to the same folder synchronously.
   */
  private environment(
    target: ResticTarget | null,
    settings: ResticSettings,
  ): Record<string, string> {
    const cacheDir = join(settings.dataDir, 'cache');
    const tmpDir = join(settings.dataDir, 'tmp');
    for (const dir of [cacheDir, tmpDir]) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (error) {
        throw noSpaceForFolder(error, dir, target?.name ?? '', settings.dataDir);
      }
    }
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

  private async spawn(call: ResticSpawn): Promise<ResticRunResult> {
    const { target, settings, opts } = call;
    const repoName = target?.name ?? '';
    const secrets = [...settings.secrets, ...Object.values(target?.env ?? {})];
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
      result = await this.processes.run({
        command: call.command,
        args: call.args,
        env: this.environment(target, settings),
        signal: opts.signal,
        killGraceMs: opts.killGraceMs,
        maxLineLength: opts.maxLineLength,
        onStdoutLine,
        onStdoutStream: opts.onStdoutStream,
        onStderrLine,
      });
    } catch (error) {
      if (error instanceof ProcessSpawnError) throw spawnFailure(error, settings.binary, repoName);
      throw error;
    }

    const { exitCode } = result;
    const succeeded = exitCode === 0 || (exitCode === 3 && opts.allowPartial === true);
    // a run that finished before the SIGINT landed did its work; report that, not a cancel
    if (succeeded && exitCode !== null) return { exitCode };
    if (!result.aborted && exitCode === null && target && call.commandLocks) {
      // killed from outside (SIGKILL, the OOM killer): restic had no chance to remove its lock,
      // which is stale now that its process is gone
      const removed = await this.unlockStale(target);
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
      if (target && call.commandLocks) await this.unlockStale(target);
      throw canceled();
    }
    throw classifyResticFailure(exitCode, tail.text(), repoName, secrets, {
      dataDir: settings.dataDir,
      // local locations are stored as absolute paths; others are URLs or backend:target
      repositoryPath: target && isAbsolute(target.location) ? target.location : undefined,
    });
  }
}

function spawnFailure(error: ProcessSpawnError, binary: string, repoName: string): ResticError {
  if (error.command === binary) {
    const problem = error.code === 'ENOENT' ? 'was not found' : `cannot be run (${error.code})`;
    return new ResticError(
      'RESTIC_NOT_INSTALLED',
      `restic ${problem} at "${binary}"; ${INSTALL_HINT}`,
      {
        repository: repoName || undefined,
        cause: error,
      },
    );
  }
  return new ResticError(
    'RESTIC_FAILED',
    `${error.message}, needed to apply the configured nice/ionice limits`,
    { repository: repoName || undefined, cause: error },
  );
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
