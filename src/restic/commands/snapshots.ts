import { ResticError } from '../restic-error';
import { isJsonObject, toResticSnapshot } from '../restic-json';
import { FULL_ID, JSON_DOCUMENT_MAX_CHARS } from '../restic-output';
import type { ResticRunner } from '../restic-runner';
import type {
  ResticCallOptions,
  ResticSnapshot,
  ResticTarget,
  SnapshotFilter,
} from '../restic.types';

export function snapshots(
  restic: ResticRunner,
  target: ResticTarget,
  filter: SnapshotFilter = {},
  opts: ResticCallOptions = {},
): Promise<ResticSnapshot[]> {
  const args: string[] = [];
  if (filter.host !== undefined) args.push(`--host=${filter.host}`);
  // one comma-joined --tag means "all of these"; repeated --tag would mean "any of these"
  if (filter.tags && filter.tags.length > 0) args.push(`--tag=${filter.tags.join(',')}`);
  for (const path of filter.paths ?? []) args.push(`--path=${path}`);
  if (filter.noLock) args.push('--no-lock');
  return listSnapshots(restic, target, args, opts);
}

async function listSnapshots(
  restic: ResticRunner,
  target: ResticTarget,
  args: string[],
  opts: ResticCallOptions,
): Promise<ResticSnapshot[]> {
  const lines: string[] = [];
  await restic.run(target, ['snapshots', '--json', ...args], {
    ...opts,
    maxLineLength: JSON_DOCUMENT_MAX_CHARS,
    onStdoutLine: (line) => lines.push(line),
  });
  const text = lines.join('\n').trim();
  let parsed: unknown;
  try {
    parsed = text === '' ? [] : JSON.parse(text);
  } catch {
    throw new ResticError(
      'RESTIC_FAILED',
      `restic snapshots for repository ${JSON.stringify(target.name)} printed no valid JSON`,
      { repository: target.name },
    );
  }
  return Array.isArray(parsed) ? parsed.filter(isJsonObject).map(toResticSnapshot) : [];
}

/** The full id of a snapshot restic named by a short one (restic 0.14's backup summary does). */
export async function resolveSnapshotId(
  restic: ResticRunner,
  target: ResticTarget,
  id: string,
  opts: ResticCallOptions,
): Promise<string> {
  if (FULL_ID.test(id)) return id;
  // not cancelable: the snapshot exists, and losing its id would be worse than a second's wait
  const found = await listSnapshots(restic, target, [id], {
    limits: opts.limits,
    onLog: opts.onLog,
  });
  const match = found.find((s) => s.id.startsWith(id));
  if (!match) {
    throw new ResticError(
      'RESTIC_FAILED',
      `snapshot ${id} made in repository ${JSON.stringify(target.name)} cannot be found`,
      { repository: target.name },
    );
  }
  return match.id;
}
