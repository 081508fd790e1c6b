/** Helpers for tests that run the real restic against repositories in temp folders. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResticTarget } from '../../src/restic/restic.types';

/** The restic the tests run: RESTIC_BIN as the suite started, or the system one. */
export const SYSTEM_RESTIC = process.env.RESTIC_BIN || '/usr/bin/restic';

export const TEST_PASSWORD = 'correct horse battery staple';

export function localTarget(
  name: string,
  location: string,
  password = TEST_PASSWORD,
): ResticTarget {
  return { name, location, env: { RESTIC_PASSWORD: password } };
}

/**
 * Sets process.env.RESTIC_BIN (read by ResticService at each call) until the returned function
 * restores the previous value.
 */
export function useResticBin(bin: string | undefined): () => void {
  const previous = process.env.RESTIC_BIN;
  if (bin === undefined) delete process.env.RESTIC_BIN;
  else process.env.RESTIC_BIN = bin;
  return () => {
    if (previous === undefined) delete process.env.RESTIC_BIN;
    else process.env.RESTIC_BIN = previous;
  };
}

export const NOBODY_UID = 65534;

/**
 * root reads files whatever their mode, so a test that needs an unreadable file runs restic as
 * nobody through this wrapper (use it as RESTIC_BIN). Everything restic touches (repository,
 * cache, temp folder, the folders above them) must then be open to that user: see openToAll.
 */
export async function writeUnprivilegedRestic(dir: string): Promise<string> {
  const path = join(dir, 'restic-as-nobody');
  await writeFile(
    path,
    `#!/bin/sh\nexec setpriv --reuid=${NOBODY_UID} --regid=${NOBODY_UID} --clear-groups ${SYSTEM_RESTIC} "$@"\n`,
    { mode: 0o755 },
  );
  return path;
}

/** chmod a+rwX on `dir` and everything below (folders 0777, files 0666). */
export async function openToAll(dir: string): Promise<void> {
  const info = await stat(dir);
  await chmod(dir, info.isDirectory() ? 0o777 : 0o666);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(dir)) await openToAll(join(dir, entry));
}

export const runningAsRoot = (): boolean => process.getuid?.() === 0;

/**
 * Starts restic directly, outside ResticService, to set up situations such as a stale lock left
 * by a killed process.
 */
export function spawnRestic(target: ResticTarget, args: string[], cacheDir: string): ChildProcess {
  return spawn(SYSTEM_RESTIC, ['-r', target.location, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RESTIC_CACHE_DIR: cacheDir, ...target.env },
    stdio: 'ignore',
  });
}

/** Lock files currently in a local repository. */
export async function localLockFiles(repoPath: string): Promise<string[]> {
  return readdir(join(repoPath, 'locks')).catch(() => []);
}
