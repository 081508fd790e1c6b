import { Injectable } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { Clock } from '../../common/clock';
import type { CommandHook } from '../../config/config.types';
import { describeFailure } from '../../jobs/job-failure';
import { ProcessRunner, ProcessSpawnError } from '../../process/process-runner';
import { HookDeadline, formatDuration } from './hook-deadline';
import type { HookInvocation, HookResult } from './hook.types';

/** Time a hook gets to exit after SIGINT before SIGKILL; hooks have no lock to clean up. */
export const HOOK_KILL_GRACE_MS = 5_000;
/** A hook printing binary data or endless lines without newlines must not bloat the job log. */
const MAX_LINE_LENGTH = 16 * 1024;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The hook's environment. It starts minimal (PATH, HOME, LANG from the daemon) so the daemon's
 * own secrets stay out, then the hook's `env`, then HEN_BACKUP_* last so a script can trust them.
 */
export function hookEnvironment(
  hook: CommandHook,
  run: HookInvocation,
  daemonEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = { PATH: daemonEnv.PATH || DEFAULT_PATH };
  if (daemonEnv.HOME) env.HOME = daemonEnv.HOME;
  if (daemonEnv.LANG) env.LANG = daemonEnv.LANG;
  Object.assign(env, hook.env);
  env.HEN_BACKUP_NAME = run.backup;
  env.HEN_BACKUP_JOB_ID = String(run.jobId);
  env.HEN_BACKUP_STAGE = run.stage;
  if (run.status) env.HEN_BACKUP_STATUS = run.status;
  else delete env.HEN_BACKUP_STATUS;
  return env;
}

/**
 * Runs a command hook through ProcessRunner: an argument vector without a shell, every output
 * line into the step's log, SIGINT then SIGKILL at the timeout or when the job is stopped, and
 * any exit code but 0 a failure.
 */
@Injectable()
export class CommandHookRunner {
  /** SIGINT to SIGKILL; a field so integration tests need not wait the full grace */
  killGraceMs = HOOK_KILL_GRACE_MS;

  constructor(
    private readonly processes: ProcessRunner,
    private readonly clock: Clock,
  ) {}

  async run(hook: CommandHook, run: HookInvocation): Promise<HookResult> {
    const [command, ...args] = hook.command;
    // spawn reports a missing cwd as the program not being found; say what is really wrong.
    if (hook.cwd && !(await isDirectory(hook.cwd))) {
      return { ok: false, reason: `cwd ${hook.cwd} is not a folder` };
    }
    const started = this.clock.now();
    const deadline = new HookDeadline(this.clock, run.signal, hook.timeoutMs);
    run.log('info', `running ${hook.command.map(quote).join(' ')}`);
    try {
      const result = await this.processes.run({
        command,
        args,
        env: hookEnvironment(hook, run),
        cwd: hook.cwd,
        signal: deadline.signal,
        onStdoutLine: (line) => run.log('info', line, 'stdout'),
        onStderrLine: (line) => run.log('info', line, 'stderr'),
        killGraceMs: this.killGraceMs,
        maxLineLength: MAX_LINE_LENGTH,
        processGroup: true,
      });
      const seconds = ((this.clock.now() - started) / 1000).toFixed(1);
      const ending =
        result.exitCode !== null
          ? `exited with code ${result.exitCode}`
          : result.signal
            ? `killed by ${result.signal}`
            : 'not started';
      run.log(result.exitCode === 0 ? 'info' : 'warn', `${ending} after ${seconds} s`);
      if (deadline.timedOut) {
        return { ok: false, reason: `timed out after ${formatDuration(hook.timeoutMs)}` };
      }
      if (run.signal.aborted) return { ok: false, reason: 'stopped with the job' };
      return result.exitCode === 0 ? { ok: true } : { ok: false, reason: ending };
    } catch (error) {
      if (error instanceof ProcessSpawnError) return { ok: false, reason: error.message };
      return { ok: false, reason: describeFailure(error).message };
    } finally {
      deadline.dispose();
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Shows an argument vector readably; quoting only marks where arguments begin and end. */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
