import { formatDuration, parseDuration } from '../config/duration';

export const DOWNLOAD_TTL_MS = Symbol('DOWNLOAD_TTL_MS');
export const DEFAULT_DOWNLOAD_TTL_MS = 5 * 60_000;
const MIN_TTL_MS = 1_000;
const MAX_TTL_MS = 24 * 3_600_000;

/**
 * How long a download link stays usable: 5 minutes, or HEN_BACKUP_DOWNLOAD_TTL (a duration such
 * as `2s`), which exists for tests and is not a configuration key. A value that does not parse
 * stops the daemon at startup rather than being ignored.
 */
export function downloadTtlFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HEN_BACKUP_DOWNLOAD_TTL?.trim();
  if (!raw) return DEFAULT_DOWNLOAD_TTL_MS;
  const ms = parseDuration(raw);
  if (typeof ms === 'string') throw new Error(`HEN_BACKUP_DOWNLOAD_TTL: ${ms}`);
  if (ms < MIN_TTL_MS || ms > MAX_TTL_MS) {
    throw new Error(
      `HEN_BACKUP_DOWNLOAD_TTL: ${raw} is outside ${formatDuration(MIN_TTL_MS)}..${formatDuration(MAX_TTL_MS)}`,
    );
  }
  return ms;
}
