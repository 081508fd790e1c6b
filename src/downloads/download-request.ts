/** Checking what a client asks to download, and naming what it gets. */
import { posix } from 'node:path';

export const MAX_PATH_LENGTH = 4096;

export type DownloadFormatName = 'FILE' | 'TAR' | 'ZIP';

/** A request the API answers with BAD_USER_INPUT or NOT_FOUND. */
export class DownloadRequestError extends Error {
  constructor(
    readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT',
    message: string,
  ) {
    super(message);
    this.name = 'DownloadRequestError';
  }
}

const badInput = (message: string) => new DownloadRequestError('BAD_USER_INPUT', message);

/** An absolute path inside a snapshot, without `..`, normalised, without a trailing slash. */
export function normaliseDownloadPath(path: string): string {
  if (typeof path !== 'string' || path === '') throw badInput('path must not be empty');
  if (path.length > MAX_PATH_LENGTH) {
    throw badInput(`path is longer than ${MAX_PATH_LENGTH} characters`);
  }
  if (/[\0\n\r]/.test(path)) throw badInput('path contains a NUL or line break');
  if (!path.startsWith('/')) throw badInput('path must be absolute (start with /)');
  if (path.split('/').includes('..')) throw badInput('path must not contain ".."');
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

export const CONTENT_TYPES: Record<DownloadFormatName, string> = {
  FILE: 'application/octet-stream',
  TAR: 'application/x-tar',
  ZIP: 'application/zip',
};

/** The name offered to the browser: the file's or folder's own name, plus .tar or .zip. */
export function downloadFilename(
  path: string,
  format: DownloadFormatName,
  snapshotId: string,
): string {
  // no control characters or separators, whatever the snapshot's file names hold
  const base =
    [...posix.basename(path)]
      .map((c) => (c.charCodeAt(0) < 0x20 || c === '\x7f' || c === '\\' ? '_' : c))
      .join('')
      .slice(0, 200) || `snapshot-${snapshotId.slice(0, 8)}`;
  return format === 'FILE' ? base : `${base}.${format.toLowerCase()}`;
}

/**
 * `attachment` with an ASCII fallback name (quotes, backslashes, percent signs and non-ASCII
 * replaced) and the exact name in RFC 5987 `filename*`.
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
