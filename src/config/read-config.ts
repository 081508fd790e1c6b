import { hostname as osHostname } from 'node:os';
import type { BackupConfig, HenConfig, LogLevel } from './config.types';
import type { ConfigPath } from './config-path';
import { type ConfigReader, given, isMapping, type Mapping } from './config-reader';
import { checkName } from './config-names';
import { readApi } from './read-api';
import { readBackup, type RepositoryRegistry } from './read-backup';
import { readLimits } from './read-limits';
import { readNotifications } from './read-notifications';
import { readRepository } from './read-repository';
import { typeName } from './value-type';
import { CONFIG_SCHEMA, keysOf, LOG_LEVELS as SCHEMA_LOG_LEVELS } from './config-schema';

export const DEFAULT_DATA_DIR = '/var/lib/hen-backup';
export const JOBS_DEFAULTS: Readonly<HenConfig['jobs']> = Object.freeze({
  concurrency: 2,
  maxDurationMs: 6 * 3_600_000,
  idleDelayMs: 2_000,
  history: Object.freeze({ keepDays: 90, keepCount: 10_000 }),
  repositoryRetry: Object.freeze({ minMs: 15_000, maxMs: 10 * 60_000 }),
});

/** A fresh copy, so that a config never shares objects with the defaults or another config. */
const jobsDefaults = (): HenConfig['jobs'] => ({
  ...JOBS_DEFAULTS,
  history: { ...JOBS_DEFAULTS.history },
  repositoryRetry: { ...JOBS_DEFAULTS.repositoryRetry },
});

const ROOT_KEYS = keysOf(CONFIG_SCHEMA);
const JOBS = CONFIG_SCHEMA.shape.jobs;
const LOG_LEVELS: readonly LogLevel[] = SCHEMA_LOG_LEVELS;

export interface ReadResult {
  config: Omit<HenConfig, 'secrets'>;
  plainTokens: string[];
}

/**
 * The whole document, with defaults. It always returns a config, partly made of fallbacks when
 * values are wrong; the caller must look at the reader's issues before using it.
 */
export function readConfig(r: ConfigReader, document: unknown, source: string): ReadResult {
  const root: Mapping = r.mapping(document, [], ROOT_KEYS) ?? {};
  const { api, plainTokens } = readApi(r, root.api, ['api']);
  const registry: RepositoryRegistry = { declared: new Map(), repositories: {} };
  eachNamed(r, root.repositories, ['repositories'], (value, path, name) => {
    registry.declared.set(name, path);
    const repository = readRepository(r, value, path, name, false);
    if (repository) registry.repositories[name] = repository;
  });
  const backups: Record<string, BackupConfig> = {};
  eachNamed(r, root.backups, ['backups'], (value, path, name) => {
    const backup = readBackup(r, value, path, name, registry);
    if (backup) backups[name] = backup;
  });

  const config: Omit<HenConfig, 'secrets'> = {
    source,
    hostname: r.optional(root, 'hostname', [], r.string, osHostname()),
    dataDir: r.optional(root, 'dataDir', [], r.absolutePath, DEFAULT_DATA_DIR),
    readOnly: r.optional(root, 'readOnly', [], r.boolean, false),
    api,
    log: r.optional(root, 'log', [], (v, p) => readLog(r, v, p), { level: 'info' }),
    jobs: r.optional(root, 'jobs', [], (v, p) => readJobs(r, v, p), jobsDefaults()),
    limits: r.optional(root, 'limits', [], (v, p) => readLimits(r, v, p), {}),
    restore: r.optional(root, 'restore', [], (v, p) => readRestore(r, v, p), {
      allowedTargets: [],
    }),
    repositories: registry.repositories,
    backups,
    notifications: readNotifications(r, root.notifications, ['notifications'], {
      backups: new Set(Object.keys(backups)),
      repositories: new Set(Object.keys(registry.repositories)),
    }),
    index: r.optional(root, 'index', [], (v, p) => readIndex(r, v, p), {}),
  };
  return { config, plainTokens };
}

/** The entries of `repositories` or `backups`, whose keys are names. */
function eachNamed(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  read: (value: unknown, path: ConfigPath, name: string) => void,
): void {
  if (!given(value)) return;
  if (!isMapping(value)) {
    r.issue(path, `expected a mapping of names to definitions, got ${typeName(value)}`);
    return;
  }
  for (const [name, item] of Object.entries(value)) {
    const itemPath = [...path, name];
    if (checkName(r, name, itemPath)) read(item, itemPath, name);
  }
}

function readLog(r: ConfigReader, value: unknown, path: ConfigPath): HenConfig['log'] | undefined {
  const map = r.mapping(value, path, keysOf(CONFIG_SCHEMA.shape.log));
  if (!map) return undefined;
  return { level: r.optional(map, 'level', path, r.oneOf(LOG_LEVELS), 'info') };
}

function readJobs(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): HenConfig['jobs'] | undefined {
  const map = r.mapping(value, path, keysOf(JOBS));
  if (!map) return undefined;
  return {
    concurrency: r.optional(map, 'concurrency', path, r.integer(1, 64), JOBS_DEFAULTS.concurrency),
    maxDurationMs: r.optional(
      map,
      'maxDuration',
      path,
      r.duration(1_000),
      JOBS_DEFAULTS.maxDurationMs,
    ),
    idleDelayMs: r.optional(map, 'idleDelay', path, r.duration(0), JOBS_DEFAULTS.idleDelayMs),
    history: r.optional(
      map,
      'history',
      path,
      (v, p) => readHistory(r, v, p),
      jobsDefaults().history,
    ),
    repositoryRetry: r.optional(
      map,
      'repositoryRetry',
      path,
      (v, p) => readRepositoryRetry(r, v, p),
      jobsDefaults().repositoryRetry,
    ),
  };
}

function readRepositoryRetry(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): HenConfig['jobs']['repositoryRetry'] | undefined {
  const map = r.mapping(value, path, keysOf(JOBS, 'repositoryRetry'));
  if (!map) return undefined;
  const defaults = JOBS_DEFAULTS.repositoryRetry;
  const minMs = r.optional(map, 'min', path, r.duration(1_000), defaults.minMs);
  const maxMs = r.optional(map, 'max', path, r.duration(1_000), Math.max(defaults.maxMs, minMs));
  if (maxMs < minMs) return r.issue([...path, 'max'], 'must not be shorter than min');
  return { minMs, maxMs };
}

function readHistory(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): HenConfig['jobs']['history'] | undefined {
  const map = r.mapping(value, path, keysOf(JOBS, 'history'));
  if (!map) return undefined;
  const { keepDays, keepCount } = JOBS_DEFAULTS.history;
  return {
    keepDays: r.optional(map, 'keepDays', path, r.integer(1, 100_000), keepDays),
    keepCount: r.optional(map, 'keepCount', path, r.integer(1, 100_000_000), keepCount),
  };
}

/** `index: { maxSize: 2G }`: the snapshot index's ceiling; the least used snapshots go first. */
function readIndex(r: ConfigReader, value: unknown, path: ConfigPath): HenConfig['index'] {
  const map = r.mapping(value, path, ['maxSize']);
  if (!map) return undefined;
  const maxSizeBytes = r.optional(map, 'maxSize', path, r.size, undefined);
  return maxSizeBytes === undefined ? {} : { maxSizeBytes };
}

function readRestore(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): HenConfig['restore'] | undefined {
  const map = r.mapping(value, path, keysOf(CONFIG_SCHEMA.shape.restore));
  if (!map) return undefined;
  return { allowedTargets: r.optional(map, 'allowedTargets', path, r.listOf(r.absolutePath), []) };
}
