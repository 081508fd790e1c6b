import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { HenConfig, RepositoryConfig } from '../../src/config/config.types';

/**
 * A complete HenConfig with quiet defaults: no repositories, no backups, no tokens. Pass at least
 * `dataDir` (a temp folder) for anything that writes state.
 */
export function makeTestConfig(overrides: Partial<HenConfig> = {}): HenConfig {
  return {
    source: join(tmpdir(), 'hen-backup-test.yaml'),
    hostname: 'hen-test-host',
    dataDir: join(tmpdir(), `hen-backup-test-${process.pid}`),
    readOnly: false,
    api: { host: '127.0.0.1', port: 0, tokens: [], openIntrospection: false },
    log: { level: 'warn' },
    jobs: {
      concurrency: 2,
      maxDurationMs: 6 * 60 * 60 * 1000,
      idleDelayMs: 0,
      history: { keepDays: 90, keepCount: 1000 },
      repositoryRetry: { minMs: 1_000, maxMs: 5_000 },
    },
    limits: {},
    restore: { allowedTargets: [] },
    repositories: {},
    backups: {},
    notifications: {
      retry: { initialDelayMs: 1000, maxDelayMs: 5000, factor: 2, maxAttempts: 5 },
      targets: {},
    },
    secrets: [],
    ...overrides,
  };
}

/** A repository definition; remember to list its password in the config's `secrets`. */
export function makeRepositoryConfig(
  name: string,
  location: string,
  overrides: Partial<RepositoryConfig> = {},
): RepositoryConfig {
  return {
    name,
    location,
    password: 'test-password',
    locationParams: {},
    limits: {},
    check: null,
    inline: false,
    requireMount: false,
    ...overrides,
  };
}
