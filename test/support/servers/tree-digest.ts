/** Describes a folder tree by content, to compare a restore with what was backed up. */
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every entry below `root` by relative path: `dir`, `link -> target`, or `file <sha256> <mode>`
 * for regular files (hashed whole).
 */
export async function treeDigest(root: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      const absolute = join(root, path);
      if (entry.isDirectory()) {
        digest[path] = 'dir';
        await walk(path);
      } else if (entry.isSymbolicLink()) {
        digest[path] = `link -> ${await readlink(absolute)}`;
      } else if (entry.isFile()) {
        const sha = createHash('sha256')
          .update(await readFile(absolute))
          .digest('hex');
        const mode = ((await lstat(absolute)).mode & 0o777).toString(8);
        digest[path] = `file ${sha} ${mode}`;
      } else {
        digest[path] = 'other';
      }
    }
  };
  await walk('');
  return digest;
}
