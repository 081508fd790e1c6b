import { toResticStats } from '../restic-browse-json';
import { ResticError } from '../restic-error';
import { isJsonObject } from '../restic-json';
import type { ResticRunner } from '../restic-runner';
import type {
  ResticCallOptions,
  ResticStats,
  ResticStatsMode,
  ResticTarget,
} from '../restic.types';

/** `restic stats --json --mode=<mode> [snapshot]`; without a snapshot, the whole repository. */
export async function stats(
  restic: ResticRunner,
  target: ResticTarget,
  mode: ResticStatsMode,
  snapshotId?: string,
  opts: ResticCallOptions = {},
): Promise<ResticStats> {
  let found: ResticStats | undefined;
  const args = ['stats', `--mode=${mode}`, ...(snapshotId ? [snapshotId] : [])];
  await restic.run(target, args, {
    ...opts,
    json: true,
    onJson: (message) => {
      if (isJsonObject(message) && 'total_size' in message) found = toResticStats(message);
    },
  });
  if (!found) {
    throw new ResticError(
      'RESTIC_FAILED',
      `restic stats for repository ${JSON.stringify(target.name)} printed no valid JSON`,
      { repository: target.name },
    );
  }
  return found;
}
