import type { ConfigPath } from './config-path';
import type { ConfigReader } from './config-reader';

/** Names end up in job records, API answers and restic tags, hence the conservative alphabet. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function checkName(r: ConfigReader, name: string, path: ConfigPath): boolean {
  if (NAME_PATTERN.test(name)) return true;
  r.issue(
    path,
    `${JSON.stringify(name)} is not a valid name: use up to 64 letters, digits, "_", "." or "-", ` +
      'starting with a letter or digit',
  );
  return false;
}
