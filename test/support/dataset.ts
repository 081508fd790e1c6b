import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * File contents by relative path: text, bytes, or `{ random: n }` for n incompressible bytes
 * (restic neither deduplicates nor compresses them, so their size is what gets uploaded).
 * A path ending in "/" makes an empty folder.
 */
export type DatasetSpec = Record<string, string | Buffer | { random: number }>;

/** Writes the files under `root` (created if needed); returns their absolute paths in order. */
export async function writeDataset(root: string, spec: DatasetSpec): Promise<string[]> {
  const written: string[] = [];
  for (const [relative, content] of Object.entries(spec)) {
    const path = join(root, relative);
    if (relative.endsWith('/')) {
      await mkdir(path, { recursive: true });
    } else {
      await mkdir(dirname(path), { recursive: true });
      const data =
        typeof content === 'string' || Buffer.isBuffer(content)
          ? content
          : randomBytes(content.random);
      await writeFile(path, data);
    }
    written.push(path);
  }
  return written;
}

/** One file of `size` random bytes, written in 1 MiB pieces. */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const chunk = 1024 * 1024;
  const parts: Buffer[] = [];
  for (let done = 0; done < size; done += chunk)
    parts.push(randomBytes(Math.min(chunk, size - done)));
  await writeFile(path, Buffer.concat(parts));
  return path;
}
