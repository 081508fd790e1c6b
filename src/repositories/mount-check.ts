import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

type StatDevice = (path: string) => Promise<{ dev: number }>;

/**
 * Why a local repository folder that must sit on a mounted disk cannot be used, or null when it
 * can: the folder (or, while it does not exist yet, its nearest existing parent) must be on
 * another filesystem than the root's. An unmounted disk leaves its mount point on the root's.
 */
export async function mountProblem(
  path: string,
  statDevice: StatDevice = stat,
): Promise<string | null> {
  const root = await statDevice('/');
  for (let current = path; ; current = dirname(current)) {
    try {
      const { dev } = await statDevice(current);
      if (dev !== root.dev) return null;
      return current === path
        ? `${path} is on the root filesystem, not on a mounted disk (requireMount)`
        : `${current}, where ${path} would be, is on the root filesystem, not on a mounted disk (requireMount)`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || current === dirname(current)) {
        throw error;
      }
    }
  }
}
