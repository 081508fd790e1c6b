import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * restic 0.14's backup summary gives only the first 8 hex digits of the new snapshot's id. Asking
 * restic for the rest costs a second run that opens the repository again (about 0.7 s: most of it
 * deriving the key), which is most of what the daemon would add to a small backup. restic also
 * writes every snapshot it saves into its cache (`<cache>/<repository id>/snapshots/<ab>/<id>`),
 * so the full id is usually a directory listing away.
 *
 * Returns the one full id that starts with `shortId` and was written at or after `since`
 * (wall-clock ms), or null when there is none or more than one (then ask restic). Read
 * synchronously, as ResticRunner makes the cache folder: a few calls in the daemon's data folder,
 * which through the thread pool ended the step 1–4 ms later behind other work (measured).
 */
export function fullSnapshotIdFromCache(
  cacheDir: string,
  shortId: string,
  since: number,
): string | null {
  if (!/^[0-9a-f]{8,63}$/.test(shortId)) return null;
  let repositories: string[];
  try {
    repositories = readdirSync(cacheDir);
  } catch {
    return null;
  }
  const found: string[] = [];
  for (const repository of repositories) {
    const folder = join(cacheDir, repository, 'snapshots', shortId.slice(0, 2));
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/^[0-9a-f]{64}$/.test(name) || !name.startsWith(shortId)) continue;
      // another repository's older snapshot with the same prefix must not be taken for ours
      if (writtenAt(join(folder, name)) >= since) found.push(name);
    }
  }
  return found.length === 1 ? found[0] : null;
}

function writtenAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -Infinity;
  }
}
