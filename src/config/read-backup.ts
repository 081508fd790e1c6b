import type { BackupConfig, RepositoryConfig, RetentionConfig } from './config.types';
import { type ConfigPath, formatPath } from './config-path';
import { type ConfigReader, given, isMapping, type Mapping } from './config-reader';
import { checkName } from './config-names';
import { formatDuration } from './duration';
import { PRIORITY } from './priority';
import { readHooks } from './read-hooks';
import { readLimits } from './read-limits';
import { readRepository } from './read-repository';
import { BACKUP_SCHEMA, keysOf } from './config-schema';

const BACKUP_KEYS = keysOf(BACKUP_SCHEMA);

const KEEP_COUNTS = [
  'keepLast',
  'keepHourly',
  'keepDaily',
  'keepWeekly',
  'keepMonthly',
  'keepYearly',
] as const;

/** Defaults for `watch` when `wait` (or one of its bounds) is left out. */
export const WATCH_DEFAULTS = { minMs: 30_000, maxMs: 600_000 };

/** Every repository name declared so far (global and inline), and where it was declared. */
export interface RepositoryRegistry {
  declared: Map<string, ConfigPath>;
  repositories: Record<string, RepositoryConfig>;
}

export function readBackup(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  name: string,
  registry: RepositoryRegistry,
): BackupConfig | undefined {
  const map = r.mapping(value, path, BACKUP_KEYS);
  if (!map) return undefined;
  const paths = r.required(map, 'paths', path, r.nonEmptyListOf(r.absolutePath));
  const repositories = r.required(map, 'repositories', path, (v, p) =>
    readBackupRepositories(r, v, p, name, registry),
  );
  const backup: BackupConfig = {
    name,
    paths: paths ?? [],
    excludes: r.optional(map, 'excludes', path, r.listOf(r.string), []),
    tags: r.optional(map, 'tags', path, (v, p) => readTags(r, v, p), []),
    repositories: repositories ?? [],
    schedules: r.optional(map, 'schedules', path, r.schedules, []),
    watch: r.optional(map, 'watch', path, (v, p) => readWatch(r, v, p), null),
    priority: r.optional(map, 'priority', path, r.priority, PRIORITY.normal),
    limits: r.optional(map, 'limits', path, (v, p) => readLimits(r, v, p), {}),
    retention: r.optional(map, 'retention', path, (v, p) => readRetention(r, v, p), null),
    prune: r.optional(map, 'prune', path, (v, p) => readPrune(r, v, p), null),
    hooks: r.optional(map, 'hooks', path, (v, p) => readHooks(r, v, p), { before: [], after: [] }),
  };
  const maxDurationMs = r.optional(map, 'maxDuration', path, r.duration(1_000), undefined);
  if (maxDurationMs !== undefined) backup.maxDurationMs = maxDurationMs;
  return paths && repositories ? backup : undefined;
}

/** restic tags: no commas (restic's list separator), no spaces, and `backup=` is the daemon's own. */
function readTags(r: ConfigReader, value: unknown, path: ConfigPath): string[] | undefined {
  const tags = r.listOf(r.string)(value, path);
  if (!tags) return undefined;
  let valid = true;
  tags.forEach((tag, index) => {
    const problem =
      tag.trim() === ''
        ? 'is empty'
        : /[,\s]/.test(tag)
          ? 'must not hold commas or spaces'
          : tag.startsWith('backup=')
            ? 'must not start with "backup=" (the daemon tags each snapshot with its backup name)'
            : null;
    if (problem) {
      r.issue([...path, index], `${JSON.stringify(tag)} ${problem}`);
      valid = false;
    }
  });
  return valid ? [...new Set(tags)] : undefined;
}

/**
 * Names of global repositories, or inline definitions, which are registered as repositories of
 * their own (named `<backup>-<n>` unless they have a `name`) so that the rest of the daemon sees
 * one kind of repository.
 */
function readBackupRepositories(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  backup: string,
  registry: RepositoryRegistry,
): string[] | undefined {
  const entries = r.list(value, path);
  if (!entries) return undefined;
  if (entries.length === 0) return r.issue(path, 'needs at least one repository');
  const names: string[] = [];
  entries.forEach((entry, index) => {
    const entryPath = [...path, index];
    const name = isMapping(entry)
      ? readInline(r, entry, entryPath, `${backup}-${index + 1}`, registry)
      : readReference(r, entry, entryPath, registry);
    if (name === undefined) return;
    if (names.includes(name)) r.issue(entryPath, `repository "${name}" is listed twice`);
    else names.push(name);
  });
  return names;
}

function readReference(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  registry: RepositoryRegistry,
): string | undefined {
  const name = r.string(value, path);
  if (name === undefined) return undefined;
  if (!registry.declared.has(name)) return r.issue(path, `unknown repository "${name}"`);
  return name;
}

function readInline(
  r: ConfigReader,
  map: Mapping,
  path: ConfigPath,
  generatedName: string,
  registry: RepositoryRegistry,
): string | undefined {
  const named = given(map.name);
  const namePath = named ? [...path, 'name'] : path;
  const name = named ? r.string(map.name, namePath) : generatedName;
  const repository = readRepository(r, map, path, name ?? generatedName, true);
  if (name === undefined || !checkName(r, name, namePath)) return undefined;
  const previous = registry.declared.get(name);
  if (previous) {
    return r.issue(
      namePath,
      `repository name "${name}" is already used by ${formatPath(previous)}` +
        (named ? '' : '; give this one a name'),
    );
  }
  registry.declared.set(name, path);
  if (repository) registry.repositories[name] = repository;
  return name;
}

function readWatch(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): NonNullable<BackupConfig['watch']> | undefined {
  const map = r.mapping(value, path, keysOf(BACKUP_SCHEMA.shape.watch));
  if (!map) return undefined;
  const wait = given(map.wait)
    ? r.mapping(map.wait, [...path, 'wait'], keysOf(BACKUP_SCHEMA, 'watch', 'wait'))
    : {};
  if (!wait) return undefined;
  const waitPath = [...path, 'wait'];
  const minMs = r.optional(wait, 'min', waitPath, r.duration(0), WATCH_DEFAULTS.minMs);
  const maxMs = r.optional(wait, 'max', waitPath, r.duration(1_000), WATCH_DEFAULTS.maxMs);
  if (minMs > maxMs) {
    return r.issue(
      waitPath,
      `min (${formatDuration(minMs)}) must not be longer than max (${formatDuration(maxMs)})`,
    );
  }
  return { wait: { minMs, maxMs } };
}

function readRetention(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): RetentionConfig | undefined {
  const map = r.mapping(value, path, keysOf(BACKUP_SCHEMA.shape.retention));
  if (!map) return undefined;
  const retention: RetentionConfig = {};
  for (const key of KEEP_COUNTS) {
    const count = r.optional(map, key, path, r.integer(1, 1_000_000_000), undefined);
    if (count !== undefined) retention[key] = count;
  }
  const within = r.optional(map, 'keepWithin', path, (v, p) => readKeepWithin(r, v, p), undefined);
  if (within !== undefined) retention.keepWithin = within;
  const present = [...KEEP_COUNTS, 'keepWithin'].some((key) => given(map[key]));
  if (!present) {
    return r.issue(path, `needs at least one of ${[...KEEP_COUNTS, 'keepWithin'].join(', ')}`);
  }
  return retention;
}

/** restic's own syntax (years, months, days, hours), passed to `--keep-within` as written. */
function readKeepWithin(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  if (/^(\d+[ymdh])+$/.test(text.trim())) return text.trim();
  return r.issue(
    path,
    `${JSON.stringify(text)} is not a restic duration: combine numbers with y, m, d, h, like 1y6m or 30d`,
  );
}

function readPrune(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): NonNullable<BackupConfig['prune']> | undefined {
  const map = r.mapping(value, path, keysOf(BACKUP_SCHEMA.shape.prune));
  if (!map) return undefined;
  return {
    schedules: r.optional(map, 'schedules', path, r.schedules, []),
    priority: r.optional(map, 'priority', path, r.priority, PRIORITY.inferior),
  };
}
