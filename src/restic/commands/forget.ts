import { ResticError } from '../restic-error';
import { keepFlags, toForgetResult } from '../restic-json';
import { JSON_DOCUMENT_MAX_CHARS } from '../restic-output';
import type { ResticRunner } from '../restic-runner';
import type { ForgetRequest, ForgetResult, ResticCallOptions, ResticTarget } from '../restic.types';

/**
 * Forgets the snapshots a policy does not keep, among those with all the tags on the host,
 * grouped by host and tags so that a backup whose paths changed still forms one history.
 */
export async function forget(
  restic: ResticRunner,
  target: ResticTarget,
  req: ForgetRequest,
  opts: ResticCallOptions = {},
): Promise<ForgetResult> {
  const args = ['forget', `--host=${req.host}`, '--group-by=host', ...keepFlags(req.policy)];
  if (req.tags.length > 0) args.push(`--tag=${req.tags.join(',')}`);
  // restic 0.14 mixes prune's report into stdout unless quiet
  if (req.prune) args.push('--prune', '-q');
  const lines: string[] = [];
  await restic.run(target, ['--json', ...args], {
    ...opts,
    maxLineLength: JSON_DOCUMENT_MAX_CHARS,
    onStdoutLine: (line) => lines.push(line),
  });
  try {
    return toForgetResult(lines.join('\n'));
  } catch {
    throw new ResticError(
      'RESTIC_FAILED',
      `restic forget for repository ${JSON.stringify(target.name)} printed no valid JSON`,
      { repository: target.name },
    );
  }
}

/** Forgets exactly these snapshots (full ids); their data stays until a prune. */
export async function forgetSnapshots(
  restic: ResticRunner,
  target: ResticTarget,
  ids: string[],
  opts: ResticCallOptions = {},
): Promise<void> {
  if (ids.length === 0) throw new TypeError('forget needs at least one snapshot id');
  await restic.run(target, ['forget', '--', ...ids], opts);
}

/** Removes data no snapshot refers to any more. */
export async function prune(
  restic: ResticRunner,
  target: ResticTarget,
  opts: ResticCallOptions = {},
): Promise<void> {
  await restic.run(target, ['prune'], opts);
}
