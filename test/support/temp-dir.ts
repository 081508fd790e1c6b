import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh empty folder under the system temp folder. */
export function makeTempDir(prefix = 'hen-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Gives the owner rights back everywhere below `dir`, so tests may chmod 000 and still clean up. */
async function restoreOwnerRights(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await restoreOwnerRights(join(dir, entry.name));
  }
}

export async function removeDir(dir: string): Promise<void> {
  await restoreOwnerRights(dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Temp folders made during a test file, removed together:
 *
 *   const temp = new TempDirs();
 *   afterAll(() => temp.cleanup());
 *   const dir = await temp.make('repo-');
 */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix = 'hen-test-'): Promise<string> {
    const dir = await makeTempDir(prefix);
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    const dirs = this.dirs.splice(0);
    await Promise.all(dirs.map((dir) => removeDir(dir)));
  }
}

/** A temporary folder for one test file, removed by `cleanup`. */
export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `hen-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
