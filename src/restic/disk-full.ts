import { dirname, isAbsolute, join, relative, sep } from 'node:path';

/** Where restic writes, so that a full disk can be named in a message. */
export interface WritePlaces {
  /** the daemon's data directory: restic gets `<dataDir>/cache` and `<dataDir>/tmp` */
  dataDir?: string;
  /** a local repository's folder (absolute); undefined for remote backends */
  repositoryPath?: string;
}

/**
 * Go's wording for ENOSPC and EDQUOT (a local disk, or an sftp server passing them on), and what
 * HTTP stores answer when they are full (507 Insufficient Storage; MinIO's own code).
 */
const LOCAL_NO_SPACE = /no space left on device|disk quota exceeded/i;
// not a bare 507: a PID or a size could be that number
const REMOTE_NO_SPACE = /insufficient storage|XMinioStorageFull/i;

/**
 * restic 0.14 prints this when it cannot create its cache and then carries on without one, so
 * the line alone does not make the run fail (its temporary files go to TMPDIR, not the cache).
 */
const CACHE_WARNING = /^unable to open cache:/i;

/** The first line that says a disk or store is full, ignoring the non-fatal cache warning. */
export function noSpaceLine(lines: readonly string[]): string | undefined {
  return lines.find(
    (line) =>
      !CACHE_WARNING.test(line) && (LOCAL_NO_SPACE.test(line) || REMOTE_NO_SPACE.test(line)),
  );
}

/**
 * The file Go names in `op /path: no space left on device`. restic wraps errors as
 * `context: op /path: reason`, so the path is in the last `: `-separated part before the reason.
 */
function pathIn(line: string): string | undefined {
  const at = line.search(LOCAL_NO_SPACE);
  if (at < 0) return undefined;
  const before = line.slice(0, at).replace(/:\s*$/, '');
  const last = before.split(': ').pop() ?? '';
  const path = /^\w+\s+(\/.*)$/.exec(last.trim())?.[1];
  return path && isAbsolute(path) ? path : undefined;
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * A readable sentence saying which disk is full: the data directory's temp or cache folder
 * (which hen-backup gives restic), the repository's storage, or, when restic's text does not
 * tell, both candidates. Names folders of the daemon's own configuration only, never the
 * repository's location (a URL may carry credentials).
 */
export function describeNoSpace(line: string, repoName: string, places: WritePlaces): string {
  const repo = JSON.stringify(repoName);
  const reason = LOCAL_NO_SPACE.exec(line)?.[0].toLowerCase();
  if (!reason) {
    return `the storage of repository ${repo} is full (the backend answered that it has no space left)`;
  }
  const path = pathIn(line);
  const { dataDir, repositoryPath } = places;
  if (path && repositoryPath && isInside(path, repositoryPath)) {
    return `the disk of repository ${repo} is full (${reason}); free space there or prune old snapshots`;
  }
  if (path && dataDir && isInside(path, dataDir)) {
    for (const [folder, what] of [
      ['tmp', 'its temporary files'],
      ['cache', 'its cache'],
    ] as const) {
      const dir = join(dataDir, folder);
      if (isInside(path, dir)) {
        return (
          `the disk is full (${reason}): restic cannot write ${what} to ${dir}, ` +
          `the data directory's ${folder === 'tmp' ? 'temp' : 'cache'} folder; free space there`
        );
      }
    }
    return `the disk of the data directory ${dataDir} is full (${reason}); free space there`;
  }
  if (path) {
    // e.g. the target folder of a restore
    return `the disk holding ${dirname(path)} is full (${reason}) while restic works on repository ${repo}`;
  }
  return (
    `a disk restic writes to is full (${reason}) while working on repository ${repo}: ` +
    `the data directory${dataDir ? ` ${dataDir}` : ''} (restic's cache and temporary files) ` +
    'or the repository storage'
  );
}
