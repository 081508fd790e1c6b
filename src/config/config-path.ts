/** Where a value sits in the config file, as a list of keys and list indexes. */
export type ConfigPath = readonly (string | number)[];

export const ROOT_PATH = '(root)';

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * `backups.pictures.schedules[1]`. Keys that would make the path ambiguous (a name with a dot,
 * say) are written as `["my.name"]`.
 */
export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return ROOT_PATH;
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
