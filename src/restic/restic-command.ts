/** Building restic's command line and environment; pure, so the rules are easy to test. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IoniceClass, Limits } from '../config/config.types';

/**
 * Variables restic may inherit from the daemon: locale, certificates, proxies and the ssh agent.
 * Everything else (the daemon's own secrets included) stays out of restic's environment.
 */
export const PASS_THROUGH_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSH_AUTH_SOCK',
] as const;

export function passThroughEnv(source: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASS_THROUGH_ENV) {
    const value = source[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** restic takes whole KiB/s; rounding down keeps the limit a limit, and 0 would mean none. */
export function toKibPerSecond(bytesPerSecond: number): number {
  return Math.max(1, Math.floor(bytesPerSecond / 1024));
}

export function limitFlags(limits: Limits | undefined): string[] {
  const flags: string[] = [];
  if (limits?.upload !== undefined && limits.upload > 0) {
    flags.push('--limit-upload', String(toKibPerSecond(limits.upload)));
  }
  if (limits?.download !== undefined && limits.download > 0) {
    flags.push('--limit-download', String(toKibPerSecond(limits.download)));
  }
  return flags;
}

const IONICE_CLASS: Record<IoniceClass, string> = { realtime: '1', 'best-effort': '2', idle: '3' };

/**
 * Prefixes `nice` and `ionice` when the limits ask for them. Both exec the program they wrap, so
 * restic keeps the pid and receives the cancel signals itself. `ionice -t` runs restic anyway
 * when the class cannot be set (realtime needs privileges; some containers refuse any).
 */
export function wrapWithPriority(
  command: string[],
  limits: Limits | undefined,
): { command: string; args: string[] } {
  let line = command;
  if (limits?.ionice) {
    const { class: ioClass, level } = limits.ionice;
    // the idle class has no levels; ionice only warns about one
    const levelArgs = level !== undefined && ioClass !== 'idle' ? ['-n', String(level)] : [];
    line = ['ionice', '-t', '-c', IONICE_CLASS[ioClass], ...levelArgs, ...line];
  }
  if (limits?.nice !== undefined) line = ['nice', '-n', String(limits.nice), ...line];
  return { command: line[0], args: line.slice(1) };
}

let setprivPath: string | null | undefined;

function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    try {
      accessSync(join(dir, 'setpriv'), constants.X_OK);
      setprivPath = join(dir, 'setpriv');
      break;
    } catch {
      // not in this folder
    }
  }
  return setprivPath;
}

/**
 * Makes restic receive SIGINT when the daemon dies (even by SIGKILL), so that it stops writing
 * behind a daemon that no longer tracks it and removes its lock. setpriv (util-linux) sets the
 * parent-death signal and execs, keeping restic's pid; without it restic runs unwrapped.
 */
export function tieToDaemon(
  line: { command: string; args: string[] },
  setpriv: string | null = findSetpriv(),
): { command: string; args: string[] } {
  if (!setpriv) return line;
  return { command: setpriv, args: ['--pdeathsig', 'INT', '--', line.command, ...line.args] };
}
