/** Checking the paths a client gives: browse paths inside a snapshot and restore targets. */
import { posix } from 'node:path';

export const MAX_PATH_LENGTH = 4096;
const SNAPSHOT_ID = /^[0-9a-f]{8,64}$/;

/** A path the client gave that cannot be used; the API answers it with BAD_USER_INPUT. */
export class InvalidPathError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPathError';
  }
}

function checkText(path: string, what: string): void {
  if (path.length > MAX_PATH_LENGTH) {
    throw new InvalidPathError(`${what} is longer than ${MAX_PATH_LENGTH} characters`);
  }
  if (path.includes('\0')) throw new InvalidPathError(`${what} contains a NUL character`);
}

function hasParentSegment(path: string): boolean {
  return path.split('/').includes('..');
}

/**
 * A folder inside a snapshot: absolute, no `..` segment, `.` and repeated or trailing slashes
 * dropped. Empty or absent means the root.
 */
export function normaliseBrowsePath(path: string | null | undefined): string {
  if (path === undefined || path === null || path === '') return '/';
  checkText(path, 'path');
  if (!path.startsWith('/')) throw new InvalidPathError('path must be absolute (start with /)');
  if (hasParentSegment(path)) throw new InvalidPathError('path must not contain ".."');
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** A restore target: absolute, no `..` segment, normalised. */
export function normaliseRestoreTarget(target: string): string {
  checkText(target, 'target');
  if (!posix.isAbsolute(target)) throw new InvalidPathError('target must be an absolute path');
  if (hasParentSegment(target)) throw new InvalidPathError('target must not contain ".."');
  const normal = posix.normalize(target);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** Whether `path` is `folder` or below it (both normalised). */
export function isInside(path: string, folder: string): boolean {
  if (folder === '/') return true;
  return path === folder || path.startsWith(`${folder}/`);
}

/** Lower-case 8..64 hex; anything else is refused before restic sees it. */
export function normaliseSnapshotId(id: string, what = 'snapshotId'): string {
  const lower = id.trim().toLowerCase();
  if (!SNAPSHOT_ID.test(lower)) {
    throw new InvalidPathError(`${what} must be 8 to 64 hexadecimal characters`);
  }
  return lower;
}

/** The folder holding `path` ("/" for top-level entries). */
export function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

export function childPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}
