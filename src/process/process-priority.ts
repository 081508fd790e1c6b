/** Command-line wrappers that set a child's CPU and I/O priority and tie it to the daemon's life. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IoniceClass, Limits } from '../config/config.types';

/** The part of a job's limits that is the process's priority rather than its bandwidth. */
export type ProcessPriority = Pick<Limits, 'nice' | 'ionice'>;

const IONICE_CLASS: Record<IoniceClass, string> = { realtime: '1', 'best-effort': '2', idle: '3' };

/**
 * Prefixes `nice` and `ionice` when the limits ask for them. Both exec the program they wrap, so
 * the program keeps the pid and receives the cancel signals itself. `ionice -t` runs the program anyway
 * when the class cannot be set (realtime needs privileges; some containers refuse any).
 */
export function wrapWithPriority(
  command: string[],
  limits: ProcessPriority | undefined,
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
