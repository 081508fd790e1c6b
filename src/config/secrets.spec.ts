import type { HenConfig } from './config.types';
import { collectSecrets, isSecretName, urlCredentials } from './secrets';

describe('isSecretName', () => {
  it.each([
    'password',
    'secretAccessKey',
    'accessKeyId',
    'sessionToken',
    'accountKey',
    'accountSas',
    'applicationCredentialSecret',
    'authToken',
    'stKey',
    'PGPASSWORD',
    'GITHUB_TOKEN',
    'Authorization',
    'X-Api-Key',
    'Cookie',
  ])('takes %s for a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'authUrl',
    'keyFile',
    'sharedCredentialsFile',
    'applicationCredentialName',
    'applicationCredentials',
    'stAuth',
    'identityFile',
    'regionName',
    'username',
    'projectName',
    'endpointSuffix',
    'identityApiVersion',
    'userDomainName',
    'PGHOST',
    'Content-Type',
  ])('does not take %s for a secret', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('urlCredentials', () => {
  it('finds user:password and the password, also percent-decoded', () => {
    expect(urlCredentials('rest:https://me:p%40ss-word@host:8000/repo')).toEqual([
      'me:p%40ss-word',
      'p%40ss-word',
      'p@ss-word',
    ]);
  });

  it('finds nothing without a password', () => {
    expect(urlCredentials('sftp://me@host//srv')).toEqual([]);
    expect(urlCredentials('s3:https://s3.amazonaws.com/bucket')).toEqual([]);
  });
});

describe('collectSecrets', () => {
  const base: Omit<HenConfig, 'secrets'> = {
    source: '/etc/hen.yaml',
    hostname: 'h',
    dataDir: '/d',
    readOnly: false,
    api: { host: '127.0.0.1', port: 4000, tokens: [], openIntrospection: false },
    log: { level: 'info' },
    jobs: {
      concurrency: 1,
      maxDurationMs: 1,
      idleDelayMs: 0,
      history: { keepDays: 1, keepCount: 1 },
      repositoryRetry: { minMs: 15_000, maxMs: 600_000 },
    },
    limits: {},
    restore: { allowedTargets: [] },
    notifications: {
      retry: { initialDelayMs: 1, maxDelayMs: 1, factor: 1, maxAttempts: 1 },
      targets: {},
    },
    repositories: {
      a: {
        name: 'a',
        location: '/r',
        password: 'same-password',
        locationParams: {},
        limits: {},
        check: null,
        inline: false,
        requireMount: false,
      },
      b: {
        name: 'b',
        location: '/s',
        password: 'same-password',
        locationParams: { projectName: 'not-secret', password: 'abc' },
        limits: {},
        check: null,
        inline: true,
        requireMount: false,
      },
    },
    backups: {},
  };

  it('deduplicates and leaves out values under 4 characters', () => {
    expect(collectSecrets(base, ['plain-token-value'])).toEqual([
      'plain-token-value',
      'same-password',
    ]);
  });
});
