import type { Clock } from '../common/clock';
import { ResticError } from './restic-error';

/**
 * How long a job waits for a repository that another process has locked. restic 0.14 has no
 * `--retry-lock`, and fails at once when it cannot take its lock, so waiting means running the
 * command again; that is safe because restic gives up on the lock before doing any work.
 */
export interface LockWaitPolicy {
  /** pauses between attempts; their count bounds the retries */
  delaysMs: number[];
  onWait?: (wait: { attempt: number; delayMs: number; error: ResticError }) => void;
}

/** About four and a half minutes in all, backing off from 5 s to a minute. */
export const DEFAULT_LOCK_WAIT_DELAYS_MS = [
  5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000,
];

/** How often one run removes a stale lock and tries again before it treats the lock as live. */
const MAX_STALE_REMOVALS = 3;

/**
 * Runs `attempt`; when it fails because the repository is locked, `removeStale` is asked first
 * (it removes the lock when it is stale, and says so): then the attempt is made again at once.
 * Only a live lock is waited for, and only with a policy; without one the failure is final.
 */
export async function retryWhileLocked<T>(
  attempt: () => Promise<T>,
  policy: LockWaitPolicy | undefined,
  clock: Clock,
  signal?: AbortSignal,
  removeStale: (error: ResticError) => Promise<boolean> = () => Promise.resolve(false),
): Promise<T> {
  const delaysMs = policy?.delaysMs ?? [];
  let staleRemovals = 0;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const locked = error instanceof ResticError && error.code === 'REPOSITORY_LOCKED';
      if (locked && staleRemovals < MAX_STALE_REMOVALS && !signal?.aborted) {
        if (await removeStale(error)) {
          staleRemovals++;
          tries--;
          continue;
        }
      }
      if (!locked || tries >= delaysMs.length || signal?.aborted) {
        if (locked && tries > 0) {
          const waited = delaysMs.slice(0, tries).reduce((a, b) => a + b, 0);
          throw new ResticError(
            'REPOSITORY_LOCKED',
            `${error.message} (still locked after ${tries + 1} attempts over ${Math.round(waited / 1000)} s)`,
            {
              exitCode: error.exitCode ?? undefined,
              repository: error.repository,
              detail: error.detail,
            },
          );
        }
        throw error;
      }
      const delayMs = delaysMs[tries];
      policy?.onWait?.({ attempt: tries + 1, delayMs, error });
      await sleep(clock, delayMs, signal);
    }
  }
}

function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
