import type { ResticRunner } from '../restic-runner';
import type { ResticCallOptions, ResticTarget } from '../restic.types';

/** Verifies the repository; a damaged one rejects, with restic's findings in the log lines. */
export async function check(
  restic: ResticRunner,
  target: ResticTarget,
  readDataSubset: string | undefined,
  opts: ResticCallOptions = {},
): Promise<void> {
  const args = ['check'];
  if (readDataSubset) args.push(`--read-data-subset=${readDataSubset}`);
  await restic.run(target, args, opts);
}
