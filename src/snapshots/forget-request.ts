import type { ResticSnapshot } from '../restic/restic.types';
import { backupOf } from './snapshots.service';

/** At most this many snapshots per request: the ids go on one restic command line. */
export const MAX_FORGET_IDS = 100;

export class ForgetRequestError extends Error {
  constructor(
    readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The full ids of the chosen snapshots, after checking the request against the repository's
 * snapshots: every id (full, or a unique prefix of 8 or more hex digits) must name one snapshot,
 * and with `backup`, one of that backup definition. Throws before anything is queued.
 */
export function resolveForgetIds(
  requested: readonly string[],
  snapshots: readonly ResticSnapshot[],
  repository: string,
  backup: string | null,
): string[] {
  if (requested.length === 0) {
    throw new ForgetRequestError('BAD_USER_INPUT', 'ids: give at least one snapshot id');
  }
  if (requested.length > MAX_FORGET_IDS) {
    throw new ForgetRequestError('BAD_USER_INPUT', `ids: at most ${MAX_FORGET_IDS} at a time`);
  }
  const ids = new Set<string>();
  for (const id of requested) {
    if (!/^[0-9a-f]{8,64}$/.test(id)) {
      throw new ForgetRequestError(
        'BAD_USER_INPUT',
        `ids: ${JSON.stringify(id)} is not a snapshot id (8 to 64 lower-case hex digits)`,
      );
    }
    const matches = snapshots.filter((s) => s.id.startsWith(id));
    if (matches.length === 0) {
      throw new ForgetRequestError(
        'NOT_FOUND',
        `no snapshot ${id} in repository "${repository}"; nothing was forgotten`,
      );
    }
    if (matches.length > 1) {
      throw new ForgetRequestError('BAD_USER_INPUT', `ids: ${id} names several snapshots`);
    }
    const owner = backupOf(matches[0]);
    if (backup !== null && owner !== backup) {
      throw new ForgetRequestError(
        'BAD_USER_INPUT',
        `snapshot ${id} is not of backup "${backup}" (it is ${owner ? `of "${owner}"` : 'not made by a backup definition'}); nothing was forgotten`,
      );
    }
    ids.add(matches[0].id);
  }
  return [...ids];
}
