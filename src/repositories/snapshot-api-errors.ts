import { badUserInput, conflict, notFound } from '../api/graphql-errors';
import { ResticError } from '../restic/restic-error';
import { SnapshotNotFoundError } from './snapshot-browser.service';
import { InvalidPathError } from './snapshot-paths';

/** Domain errors of snapshot reading and restores, as the API's codes. */
export function toApiError(error: unknown): unknown {
  if (error instanceof InvalidPathError) return badUserInput(error.message);
  if (error instanceof SnapshotNotFoundError) return notFound(error.message);
  // an exclusive job (prune, check) holds the repository: worth trying again later
  if (error instanceof ResticError && error.code === 'REPOSITORY_LOCKED') {
    return conflict(error.message);
  }
  return error;
}

export async function withApiErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toApiError(error);
  }
}
