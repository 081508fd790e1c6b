import { toDiffStatistics } from '../restic-browse-json';
import { ResticError } from '../restic-error';
import { isJsonObject } from '../restic-json';
import type { ResticRunner } from '../restic-runner';
import type {
  ResticCallOptions,
  ResticDiffChange,
  ResticDiffStatistics,
  ResticTarget,
} from '../restic.types';

/** Streams `restic diff --json from to` (0.14 has it): each change, then the statistics. */
export async function diff(
  restic: ResticRunner,
  target: ResticTarget,
  from: string,
  to: string,
  onChange: (change: ResticDiffChange) => void,
  opts: ResticCallOptions = {},
): Promise<ResticDiffStatistics> {
  let statistics: ResticDiffStatistics | undefined;
  await restic.run(target, ['diff', from, to], {
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
