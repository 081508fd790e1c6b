import { hostname } from 'node:os';

/** The process a REPOSITORY_LOCKED failure names, as restic prints it on stderr. */
export interface LockHolder {
  pid: number;
  host: string;
}

const HOLDER = /already locked (?:exclusively )?by PID (\d+) on (\S+) by /;

export function lockHolder(stderr: string): LockHolder | null {
  const match = HOLDER.exec(stderr);
  return match ? { pid: Number(match[1]), host: match[2] } : null;
}

/** Whether a process with this pid exists here; EPERM means it exists under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * restic's own rule for a stale lock that `restic unlock` removes: made on this host (restic
 * compares the OS hostname, not `--host`) by a process that no longer exists. A lock of another
 * host, or of a live process, is never called stale here; those are waited for.
 */
export function isStaleHere(
  holder: LockHolder,
  here: string = hostname(),
  alive: (pid: number) => boolean = processAlive,
): boolean {
  return holder.host === here && !alive(holder.pid);
}
