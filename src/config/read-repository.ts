import { isAbsolute } from 'node:path';
import { validateLocationParams } from './provider-env';
import type { CheckConfig, RepositoryConfig } from './config.types';
import type { ConfigPath } from './config-path';
import { type ConfigReader, given } from './config-reader';
import { readLimits } from './read-limits';
import { readLocation } from './read-location';
import { readSecretFile } from './read-secret-file';
import { PRIORITY } from './priority';
import { formatSize, parseSize } from './size';
import { INLINE_REPOSITORY_SCHEMA, keysOf, REPOSITORY_SCHEMA } from './config-schema';

const REPOSITORY_KEYS = keysOf(REPOSITORY_SCHEMA);
const INLINE_REPOSITORY_KEYS = keysOf(INLINE_REPOSITORY_SCHEMA);

/** A repository, global (under `repositories`) or inline (in a backup, with an optional `name`). */
export function readRepository(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  name: string,
  inline: boolean,
): RepositoryConfig | undefined {
  const map = r.mapping(value, path, inline ? INLINE_REPOSITORY_KEYS : REPOSITORY_KEYS);
  if (!map) return undefined;
  const location = r.required(map, 'location', path, (v, p) => readLocation(r, v, p));
  const password = readPassword(r, map, path);
  const locationParams = r.optional(map, 'locationParams', path, r.scalarMap, undefined);
  // Checking keys against a partial map would report valid keys as missing.
  if (location !== undefined && locationParams !== undefined) {
    for (const problem of validateLocationParams(location, locationParams)) {
      r.issue([...path, 'locationParams'], problem);
    }
  }
  const limits = r.optional(map, 'limits', path, (v, p) => readLimits(r, v, p), {});
  const check = r.optional(map, 'check', path, (v, p) => readCheck(r, v, p), null);
  const requireMount = r.optional(map, 'requireMount', path, r.boolean, false);
  if (requireMount && location !== undefined && !isAbsolute(location)) {
    r.issue([...path, 'requireMount'], 'only a local repository can require a mounted filesystem');
  }
  if (location === undefined || password === undefined) return undefined;
  return {
    name,
    location,
    password,
    locationParams: locationParams ?? {},
    limits,
    check,
    inline,
    requireMount,
  };
}

function readPassword(
  r: ConfigReader,
  map: Record<string, unknown>,
  path: ConfigPath,
): string | undefined {
  const hasPassword = given(map.password);
  const hasFile = given(map.passwordFile);
  if (hasPassword && hasFile)
    return r.issue(path, 'give either password or passwordFile, not both');
  if (!hasPassword && !hasFile) {
    return r.issue([...path, 'password'], 'is required (or passwordFile)');
  }
  if (hasPassword) return r.string(map.password, [...path, 'password']);

  const filePath = [...path, 'passwordFile'];
  const file = r.absolutePath(map.passwordFile, filePath);
  if (file === undefined) return undefined;
  const read = readSecretFile(file);
  if ('error' in read) return r.issue(filePath, read.error);
  if (read.value.trim() === '') return r.issue(filePath, `${file} is empty`);
  return read.value;
}

function readCheck(r: ConfigReader, value: unknown, path: ConfigPath): CheckConfig | undefined {
  const map = r.mapping(value, path, keysOf(REPOSITORY_SCHEMA.shape.check));
  if (!map) return undefined;
  const check: CheckConfig = {
    schedules: r.optional(map, 'schedules', path, r.schedules, []),
    priority: r.optional(map, 'priority', path, r.priority, PRIORITY.inferior),
  };
  const subset = r.optional(
    map,
    'readDataSubset',
    path,
    (v, p) => readDataSubset(r, v, p),
    undefined,
  );
  if (subset !== undefined) check.readDataSubset = subset;
  return check;
}

/** Normalized to a spelling restic 0.14 accepts: `5%`, `1/10`, or a size with a whole unit. */
function readDataSubset(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const percent = text && /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) {
    const share = Number(percent[1]);
    if (share > 0 && share <= 100) return `${share}%`;
    return r.issue(path, `${JSON.stringify(value)} is not a percentage above 0 and up to 100`);
  }
  const fraction = text && /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  if (fraction) {
    const [n, total] = [Number(fraction[1]), Number(fraction[2])];
    if (n >= 1 && n <= total) return `${n}/${total}`;
    return r.issue(path, `${JSON.stringify(value)} must be n/t with 1 ≤ n ≤ t`);
  }
  const bytes = parseSize(value);
  if (typeof bytes === 'number') return formatSize(bytes);
  return r.issue(
    path,
    `${typeof value === 'string' ? JSON.stringify(value) : 'this'} is not a subset: give a ` +
      'percentage (5%), a fraction (1/10) or a size (500M)',
  );
}
