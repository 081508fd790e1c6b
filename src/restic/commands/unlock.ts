import { FULL_ID } from '../restic-output';
import type { ResticRunner } from '../restic-runner';
import type { ResticCallOptions, ResticTarget, UnlockOptions } from '../restic.types';

/** Removes stale locks (all locks with removeAll). */
export async function unlock(
  restic: ResticRunner,
  target: ResticTarget,
  opts: UnlockOptions = {},
): Promise<void> {
  await restic.run(target, opts.removeAll ? ['unlock', '--remove-all'] : ['unlock'], opts);
}

/** Ids of the lock files in the repository; listing takes no lock itself. */
export async function listLocks(
  restic: ResticRunner,
  target: ResticTarget,
  opts: ResticCallOptions = {},
): Promise<string[]> {
  const ids: string[] = [];
  await restic.run(target, ['list', 'locks', '--no-lock'], {
    ...opts,
    onStdoutLine: (line) => {
      const id = line.trim();
      if (FULL_ID.test(id)) ids.push(id);
    },
  });
  return ids;
}
