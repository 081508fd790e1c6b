import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeSize {
  /** regular files */
  files: number;
  /** every entry below the folder: files, folders, links, ... */
  entries: number;
  /** bytes of the regular files */
  bytes: number;
}

/**
 * Sizes of everything below `folder`, without following links. Entries that vanish or cannot be
 * read while walking are skipped: this is an estimate for progress, not an inventory. Stops early
 * (with what it counted) once `stop` says so.
 */
export async function measureTree(folder: string, stop: () => boolean = () => false) {
  const size: TreeSize = { files: 0, entries: 0, bytes: 0 };
  const pending = [folder];
  while (pending.length > 0 && !stop()) {
    const dir = pending.pop()!;
    let names;
    try {
      names = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    const files: string[] = [];
    for (const entry of names) {
      size.entries++;
      if (entry.isDirectory()) pending.push(join(dir, entry.name));
      else if (entry.isFile()) files.push(join(dir, entry.name));
    }
    // a few stats at a time: cheap, and quick on a folder of thousands of files
    for (let i = 0; i < files.length && !stop(); i += 64) {
      const stats = await Promise.all(
        files.slice(i, i + 64).map((f) => lstat(f).catch(() => null)),
      );
      for (const info of stats) {
        if (!info) continue;
        size.files++;
        size.bytes += info.size;
      }
    }
  }
  return size;
}
