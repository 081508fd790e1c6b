import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { HenConfig } from './config.types';
import { ConfigError } from './config-error';
import { loadConfig } from './config-loader';
import { NOTIFICATION_EVENTS, type NotificationEventName } from './notifications.types';
import { PRIORITY } from './priority';

const FIXTURES = resolve(__dirname, '../../test/fixtures/config');
const VALID = join(FIXTURES, 'valid');
const INVALID = join(FIXTURES, 'invalid');
const SECRETS = join(FIXTURES, 'secrets');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function loadError(file: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  let config: HenConfig;
  try {
    config = loadConfig(file, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${file} to be rejected, it loaded ${Object.keys(config).join(', ')}`);
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hen-config-'));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Writes a config into a fresh folder, so that relative paths have a known base. */
function writeConfig(text: string, name = 'hen.yaml'): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

const MINIMAL_REPO = `
repositories:
  home: { location: /srv/restic/home, password: home-repo-password }
`;

describe('loadConfig with every key (valid/full.yaml)', () => {
  const env = {
    GRAFANA_TOKEN: 'grafana-token-0123456789',
    AWS_REPO_PASSWORD: 'aws-repo-pw',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-key',
    PG_PASSWORD: 'pg-pw-secret',
    NOTIFY_TOKEN: 'notify-token-xyz',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0001/B0002/slackhooksecret42',
    SMTP_PASSWORD: 'smtp-pw-secret',
  };

  it('loads into the exact typed values', () => {
    const config = loadConfig(join(VALID, 'full.yaml'), env);
    const outcomes = {
      events: NOTIFICATION_EVENTS.filter((e) => e !== 'job.queued' && e !== 'job.started'),
      backups: [],
      repositories: [],
      minSeverity: 'info' as const,
    };
    const heartbeat = {
      events: [
        'job.started',
        'job.succeeded',
        'job.warnings',
        'job.failed',
        'job.timed-out',
        'job.canceled',
        'job.interrupted',
      ] as NotificationEventName[],
      operations: ['backup' as const],
      backups: [],
      repositories: [],
      minSeverity: 'info' as const,
    };
    const expected: HenConfig = {
      source: join(VALID, 'full.yaml'),
      hostname: 'laptop',
      dataDir: join(VALID, 'state'),
      index: { maxSizeBytes: 2 * 1024 ** 3 },
      readOnly: false,
      api: {
        host: '0.0.0.0',
        port: 4100,
        tokens: [
          { name: 'grafana', role: 'viewer', sha256: sha256('grafana-token-0123456789') },
          {
            name: 'dashboard',
            role: 'operator',
            sha256: sha256('dashboard-token-0123456789abcdef'),
          },
          { name: 'ci', role: 'admin', sha256: sha256('test') },
        ],
        openIntrospection: true,
      },
      log: { level: 'debug' },
      jobs: {
        concurrency: 3,
        maxDurationMs: 6 * HOUR,
        idleDelayMs: 500,
        history: { keepDays: 30, keepCount: 500 },
        repositoryRetry: { minMs: 15_000, maxMs: 600_000 },
      },
      limits: {
        upload: 5 * 1024 ** 2,
        download: 20 * 1024 ** 2,
        nice: 10,
        ionice: { class: 'idle' },
      },
      restore: { allowedTargets: ['/srv/restore', join(VALID, 'restores')] },
      repositories: {
        'aws-ireland': {
          name: 'aws-ireland',
          location: 's3:https://s3.eu-west-1.amazonaws.com/bucket/path',
          password: 'aws-repo-pw',
          locationParams: { accessKeyId: 'AKIAEXAMPLE123', secretAccessKey: 'aws-secret-key' },
          limits: { upload: 2 * 1024 ** 2 },
          check: {
            schedules: [{ kind: 'interval', everyMs: 7 * DAY, source: '1w' }],
            readDataSubset: '5%',
            priority: PRIORITY.inferior,
          },
          inline: false,
          requireMount: false,
        },
        'ovh-frankfurt': {
          name: 'ovh-frankfurt',
          location: 'swift:container:/backups',
          password: 'ovh-repo-password-from-file',
          locationParams: {
            authUrl: 'https://auth.cloud.ovh.net/v3',
            regionName: 'GRA',
            projectName: '12345678',
            username: 'user-abc',
            password: 'ovh-keystone-password',
          },
          limits: {},
          check: { schedules: [], readDataSubset: '1/10', priority: PRIORITY.inferior },
          inline: false,
          requireMount: false,
        },
        nas: {
          name: 'nas',
          location: 'rest:https://backup:rest-server-pw@nas.local:8000/laptop',
          password: 'nas-repo-password',
          locationParams: {},
          limits: { download: 1.5 * 1024 ** 2, ionice: { class: 'best-effort', level: 6 } },
          check: null,
          inline: false,
          requireMount: false,
        },
        'usb-disk': {
          name: 'usb-disk',
          location: join(FIXTURES, 'disks/usb'),
          password: 'usb-repo-password',
          locationParams: {},
          limits: {},
          check: {
            schedules: [{ kind: 'cron', expression: '0 4 * * 0', source: '0 4 * * 0' }],
            readDataSubset: '500M',
            priority: 5,
          },
          inline: false,
          requireMount: false,
        },
        'documents-offsite': {
          name: 'documents-offsite',
          location: 'sftp:backup@offsite.example:/srv/restic',
          password: 'offsite-password',
          locationParams: {},
          limits: {},
          check: null,
          inline: true,
          requireMount: false,
        },
        'documents-3': {
          name: 'documents-3',
          location: join(VALID, 'repos/documents'),
          password: 'local-documents-password',
          locationParams: {},
          limits: { nice: 19 },
          check: null,
          inline: true,
          requireMount: false,
        },
      },
      backups: {
        pictures: {
          name: 'pictures',
          paths: ['/home/me/Pictures'],
          excludes: ['*.tmp'],
          tags: [],
          repositories: ['aws-ireland', 'ovh-frankfurt'],
          schedules: [
            { kind: 'interval', everyMs: DAY, source: '1d' },
            { kind: 'cron', expression: '0 30 2 * * *', source: '0 30 2 * * *' },
          ],
          watch: { wait: { minMs: 30_000, maxMs: 600_000 } },
          priority: PRIORITY.normal,
          limits: { upload: 1024 ** 2 },
          retention: {
            keepLast: 3,
            keepDaily: 7,
            keepWeekly: 4,
            keepMonthly: 12,
            keepWithin: '30d',
          },
          prune: {
            schedules: [{ kind: 'interval', everyMs: 7 * DAY, source: '1w' }],
            priority: PRIORITY['on-idle'],
          },
          hooks: {
            before: [
              {
                type: 'http',
                url: 'http://grafana:3000/dump',
                method: 'POST',
                headers: {},
                retries: 2,
                expectedStatus: [],
                timeoutMs: 5 * 60_000,
                onFailure: 'break',
                when: 'always',
              },
            ],
            after: [
              {
                type: 'command',
                command: ['notify-send', 'done'],
                env: {},
                timeoutMs: 5 * 60_000,
                onFailure: 'continue',
                when: 'failure',
              },
            ],
          },
        },
        documents: {
          name: 'documents',
          paths: [join(VALID, 'documents'), '/home/me/Documents'],
          excludes: [],
          tags: [],
          repositories: ['nas', 'documents-offsite', 'documents-3'],
          schedules: [{ kind: 'interval', everyMs: 1.5 * HOUR, source: '1h30m' }],
          watch: { wait: { minMs: 30_000, maxMs: 600_000 } },
          priority: 42,
          limits: {},
          retention: { keepHourly: 24, keepYearly: 2 },
          prune: { schedules: [], priority: PRIORITY.inferior },
          maxDurationMs: 2 * HOUR,
          hooks: {
            before: [
              {
                type: 'command',
                command: ['pg_dump', '--file', 'dump.sql', 'mydb'],
                cwd: join(VALID, 'dumps'),
                env: { PGPASSWORD: 'pg-pw-secret', PGHOST: 'localhost' },
                timeoutMs: 10 * 60_000,
                onFailure: 'break',
                when: 'always',
              },
            ],
            after: [
              {
                type: 'http',
                url: 'https://hooks.example/notify',
                method: 'PUT',
                headers: { Authorization: 'Bearer notify-token-xyz', 'X-Attempt': '1' },
                body: '{"text":"documents done"}',
                retries: 0,
                expectedStatus: [200, 204],
                timeoutMs: 60_000,
                onFailure: 'continue',
                when: 'always',
              },
              {
                type: 'http',
                url: 'https://hooks.example/failed',
                method: 'POST',
                headers: {},
                retries: 0,
                expectedStatus: [202],
                timeoutMs: 60_000,
                onFailure: 'ignore',
                when: 'success',
              },
            ],
          },
        },
      },
      notifications: {
        retry: { initialDelayMs: 5_000, maxDelayMs: 10 * 60_000, factor: 3, maxAttempts: 100 },
        targets: {
          'team-chat': {
            name: 'team-chat',
            type: 'webhook',
            url: 'https://hooks.slack.com/services/T0001/B0002/slackhooksecret42',
            method: 'POST',
            headers: {},
            preset: 'slack',
            body: null,
            timeoutMs: 10_000,
            filter: {
              events: ['job.failed', 'backup.overdue'],
              operations: ['backup', 'check'],
              backups: ['pictures'],
              repositories: ['aws-ireland'],
              minSeverity: 'warning',
            },
          },
          custom: {
            name: 'custom',
            type: 'webhook',
            url: 'https://hooks.example/hen',
            method: 'PUT',
            headers: { 'X-Api-Key': 'webhook-key-4242', 'X-Source': 'hen' },
            preset: null,
            body: '{"event":"{{event}}","backup":"{{backup}}"}',
            timeoutMs: 30_000,
            filter: { ...outcomes, operations: [] },
          },
          phone: {
            name: 'phone',
            type: 'ntfy',
            url: 'https://ntfy.sh/hen-laptop',
            token: 'tk_ntfy0123456789',
            title: 'Backup {{event}}',
            message: null,
            timeoutMs: 30_000,
            filter: { ...outcomes, operations: [] },
          },
          gotify: {
            name: 'gotify',
            type: 'gotify',
            url: 'https://gotify.example',
            token: 'gotify-app-token-77',
            title: null,
            message: null,
            timeoutMs: 30_000,
            filter: { ...outcomes, operations: [] },
          },
          pings: {
            name: 'pings',
            type: 'healthchecks',
            url: 'https://hc-ping.com/ping-key-1234567/{{backup}}',
            timeoutMs: 30_000,
            filter: heartbeat,
          },
          kuma: {
            name: 'kuma',
            type: 'uptime-kuma',
            url: 'https://kuma.example/api/push/kuma4242push',
            timeoutMs: 30_000,
            filter: { ...heartbeat, backups: ['documents'] },
          },
          mail: {
            name: 'mail',
            type: 'email',
            host: 'smtp.example',
            port: 465,
            security: 'tls',
            username: 'hen@example.org',
            password: 'smtp-pw-secret',
            from: 'hen <hen@example.org>',
            to: ['me@example.org'],
            subject: '[hen] {{summary}}',
            body: null,
            allowInvalidCertificate: false,
            timeoutMs: 30_000,
            filter: { ...outcomes, operations: [] },
          },
          script: {
            name: 'script',
            type: 'command',
            command: ['logger', '-t', 'hen', '{{summary}}'],
            env: { SCRIPT_TOKEN: 'script-token-99' },
            timeoutMs: 30_000,
            filter: { ...outcomes, operations: [] },
          },
        },
      },
      secrets: expect.any(Array) as string[],
    };
    expect(config).toStrictEqual(expected);
  });

  it('collects every secret, once, and nothing that is not one', () => {
    const { secrets } = loadConfig(join(VALID, 'full.yaml'), env);
    expect([...secrets].sort()).toEqual(
      [
        'grafana-token-0123456789', // api token from ${GRAFANA_TOKEN}
        'dashboard-token-0123456789abcdef', // api tokenFile
        'aws-repo-pw', // password from ${AWS_REPO_PASSWORD}
        'AKIAEXAMPLE123', // locationParams.accessKeyId
        'aws-secret-key', // locationParams.secretAccessKey
        'ovh-repo-password-from-file', // passwordFile
        'ovh-keystone-password', // locationParams.password
        'nas-repo-password',
        'backup:rest-server-pw', // credentials inside the rest: URL
        'rest-server-pw',
        'usb-repo-password',
        'offsite-password', // inline repository
        'local-documents-password', // inline repository
        'pg-pw-secret', // command hook env PGPASSWORD
        'Bearer notify-token-xyz', // http hook Authorization header
        'notify-token-xyz',
        // notifications: whole target URLs, generated-looking parts of their paths, tokens
        'https://hooks.slack.com/services/T0001/B0002/slackhooksecret42',
        'slackhooksecret42',
        'webhook-key-4242',
        'https://hooks.example/hen',
        'https://ntfy.sh/hen-laptop',
        'tk_ntfy0123456789',
        'https://gotify.example',
        'gotify-app-token-77',
        'https://hc-ping.com/ping-key-1234567/{{backup}}',
        'ping-key-1234567',
        'https://kuma.example/api/push/kuma4242push',
        'kuma4242push',
        'smtp-pw-secret',
        'script-token-99',
      ].sort(),
    );
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const notSecret of ['https://auth.cloud.ovh.net/v3', 'GRA', 'user-abc', 'localhost']) {
      expect(secrets).not.toContain(notSecret);
    }
  });

  it('keeps only hashes of API tokens in the config tree', () => {
    const config = loadConfig(join(VALID, 'full.yaml'), env);
    const { secrets: _secrets, ...rest } = config;
    const tree = JSON.stringify(rest);
    expect(tree).not.toContain('grafana-token-0123456789');
    expect(tree).not.toContain('dashboard-token-0123456789abcdef');
  });
});

describe('loadConfig defaults (valid/minimal.yaml)', () => {
  it('fills every optional key', () => {
    const config = loadConfig(join(VALID, 'minimal.yaml'), {});
    expect(config).toStrictEqual({
      source: join(VALID, 'minimal.yaml'),
      hostname: hostname(),
      dataDir: '/var/lib/hen-backup',
      index: {},
      readOnly: false,
      api: { host: '127.0.0.1', port: 4000, tokens: [], openIntrospection: false },
      log: { level: 'info' },
      jobs: {
        concurrency: 2,
        maxDurationMs: 6 * HOUR,
        idleDelayMs: 2_000,
        history: { keepDays: 90, keepCount: 10_000 },
        repositoryRetry: { minMs: 15_000, maxMs: 600_000 },
      },
      limits: {},
      restore: { allowedTargets: [] },
      repositories: {
        home: {
          name: 'home',
          location: '/srv/restic/home',
          password: 'home-repo-password',
          locationParams: {},
          limits: {},
          check: null,
          inline: false,
          requireMount: false,
        },
      },
      backups: {
        home: {
          name: 'home',
          paths: ['/home'],
          excludes: [],
          tags: [],
          repositories: ['home'],
          schedules: [],
          watch: null,
          priority: PRIORITY.normal,
          limits: {},
          retention: null,
          prune: null,
          hooks: { before: [], after: [] },
        },
      },
      notifications: {
        retry: { initialDelayMs: 10_000, maxDelayMs: 3_600_000, factor: 2, maxAttempts: 60 },
        targets: {},
      },
      secrets: ['home-repo-password'],
    });
  });

  it('gives check and prune the inferior priority, and watch its default wait', () => {
    const config = loadConfig(
      writeConfig(`
repositories:
  home: { location: /srv/restic/home, password: home-repo-password, check: {} }
backups:
  home: { paths: [/home], repositories: [home], prune: {}, watch: { wait: { min: 5s } } }
`),
      {},
    );
    expect(config.repositories.home.check).toEqual({ schedules: [], priority: PRIORITY.inferior });
    expect(config.backups.home.prune).toEqual({ schedules: [], priority: PRIORITY.inferior });
    expect(config.backups.home.watch).toEqual({ wait: { minMs: 5_000, maxMs: 600_000 } });
  });

  it('defaults onFailure to break before and continue after, and when to always', () => {
    const config = loadConfig(
      writeConfig(`${MINIMAL_REPO}
backups:
  home:
    paths: [/home]
    repositories: [home]
    hooks:
      before: [{ type: command, command: [sync] }]
      after: [{ type: http, url: 'http://127.0.0.1/' }]
`),
      {},
    );
    const [before] = config.backups.home.hooks.before;
    const [after] = config.backups.home.hooks.after;
    expect(before).toMatchObject({ onFailure: 'break', when: 'always', timeoutMs: 300_000 });
    expect(after).toMatchObject({ onFailure: 'continue', when: 'always', timeoutMs: 60_000 });
    expect(after).toMatchObject({ method: 'POST', retries: 0, expectedStatus: [] });
  });

  it('accepts an empty mapping and an explicitly empty section', () => {
    expect(loadConfig(writeConfig('{}'), {}).backups).toEqual({});
    expect(loadConfig(writeConfig('repositories:\nbackups:\n'), {}).repositories).toEqual({});
  });
});

describe('loadConfig paths', () => {
  it('resolves relative paths against the config file folder', () => {
    const file = writeConfig(`
dataDir: state
restore: { allowedTargets: [restores, /abs/target] }
repositories:
  bare: { location: repos/bare, password: bare-password }
  dotted: { location: ./repos/dotted/, password: dotted-password }
  prefixed: { location: 'local:../elsewhere', password: prefixed-password }
  absolute: { location: 'local:/srv/restic/abs', password: absolute-password }
backups:
  docs:
    paths: [docs, ./more/../notes, /etc]
    repositories: [bare, dotted, prefixed, absolute]
    hooks: { after: [{ type: command, command: [ls], cwd: out }] }
`);
    const config = loadConfig(file, {});
    expect(config.dataDir).toBe(join(scratch, 'state'));
    expect(config.restore.allowedTargets).toEqual([join(scratch, 'restores'), '/abs/target']);
    expect(config.repositories.bare.location).toBe(join(scratch, 'repos/bare'));
    expect(config.repositories.dotted.location).toBe(join(scratch, 'repos/dotted'));
    expect(config.repositories.prefixed.location).toBe(resolve(scratch, '../elsewhere'));
    expect(config.repositories.absolute.location).toBe('/srv/restic/abs');
    expect(config.backups.docs.paths).toEqual([
      join(scratch, 'docs'),
      join(scratch, 'notes'),
      '/etc',
    ]);
    expect(config.backups.docs.hooks.after[0]).toMatchObject({ cwd: join(scratch, 'out') });
  });

  it('reads ~/ as the home folder', () => {
    const config = loadConfig(
      writeConfig(
        `${MINIMAL_REPO}\nbackups: { home: { paths: ['~/Pictures'], repositories: [home] } }\n`,
      ),
      {},
    );
    expect(config.backups.home.paths).toEqual([join(homedir(), 'Pictures')]);
  });

  it('records the absolute path of the file it loaded', () => {
    const file = writeConfig('{}');
    expect(loadConfig(relative(process.cwd(), file), {}).source).toBe(file);
  });
});

describe('loadConfig inline repositories', () => {
  it('registers them by name or as <backup>-<n>, beside the global ones', () => {
    const config = loadConfig(
      writeConfig(`${MINIMAL_REPO}
backups:
  photos:
    paths: [/photos]
    repositories:
      - home
      - { location: /mnt/usb/photos, password: usb-password }
      - { name: cloud, location: 'b2:bucket:/photos', password: cloud-password,
          locationParams: { accountId: '0012ab', accountKey: b2-account-key } }
`),
      {},
    );
    expect(Object.keys(config.repositories)).toEqual(['home', 'photos-2', 'cloud']);
    expect(config.backups.photos.repositories).toEqual(['home', 'photos-2', 'cloud']);
    expect(config.repositories['photos-2']).toMatchObject({
      name: 'photos-2',
      location: '/mnt/usb/photos',
      inline: true,
      requireMount: false,
    });
    expect(config.repositories.cloud).toMatchObject({
      inline: true,
      requireMount: false,
      locationParams: { accountId: '0012ab', accountKey: 'b2-account-key' },
    });
    expect(config.repositories.home.inline).toBe(false);
    expect(config.secrets).toEqual(
      expect.arrayContaining(['usb-password', 'cloud-password', 'b2-account-key']),
    );
  });

  it('rejects an inline repository whose name another inline one already took', () => {
    const error = loadError(
      writeConfig(`
backups:
  a: { paths: [/a], repositories: [{ name: shared, location: /r1, password: password-one }] }
  b: { paths: [/b], repositories: [{ name: shared, location: /r2, password: password-two }] }
`),
    );
    expect(error.issues).toEqual([
      {
        path: 'backups.b.repositories[0].name',
        message: 'repository name "shared" is already used by backups.a.repositories[0]',
      },
    ]);
  });
});

describe('loadConfig environment variables', () => {
  it('substitutes ${VAR} inside values and keeps $${VAR} literal', () => {
    const config = loadConfig(
      writeConfig(`
hostname: host-\${SITE}-\${ROLE}
api: { port: '\${PORT}' }
${MINIMAL_REPO}
backups:
  home:
    paths: ['/data/\${SITE}']
    repositories: [home]
    hooks: { before: [{ type: command, command: [echo, '$\${HOME} and $$ stay'] }] }
`),
      { SITE: 'paris', ROLE: 'nas', PORT: '4321', HOME: '/should/not/appear' },
    );
    expect(config.hostname).toBe('host-paris-nas');
    expect(config.api.port).toBe(4321);
    expect(config.backups.home.paths).toEqual(['/data/paris']);
    expect(config.backups.home.hooks.before[0]).toMatchObject({
      command: ['echo', '${HOME} and $$ stay'],
    });
  });

  it('substitutes after parsing, so a value cannot inject YAML', () => {
    const config = loadConfig(writeConfig('hostname: ${HOST}\n'), {
      HOST: 'laptop\ndataDir: /tmp/evil\napi: { host: 0.0.0.0 }',
    });
    expect(config.hostname).toBe('laptop\ndataDir: /tmp/evil\napi: { host: 0.0.0.0 }');
    expect(config.dataDir).toBe('/var/lib/hen-backup');
    expect(config.api.host).toBe('127.0.0.1');
  });

  it('reads VAR_FILE when VAR is unset, without its trailing newline', () => {
    const secret = join(scratch, 'repo-password');
    writeFileSync(secret, 'from-a-docker-secret\n');
    const config = loadConfig(
      writeConfig(`
repositories:
  home: { location: /srv/restic/home, password: '\${REPO_PASSWORD}' }
`),
      { REPO_PASSWORD_FILE: secret },
    );
    expect(config.repositories.home.password).toBe('from-a-docker-secret');
    expect(config.secrets).toEqual(['from-a-docker-secret']);
  });

  it('prefers VAR over VAR_FILE', () => {
    const config = loadConfig(
      writeConfig('repositories:\n  home: { location: /r, password: "${PW}" }\n'),
      { PW: 'direct-value', PW_FILE: '/nonexistent' },
    );
    expect(config.repositories.home.password).toBe('direct-value');
  });

  it('takes an empty variable as set', () => {
    const error = loadError(
      writeConfig('repositories:\n  home: { location: /r, password: "${PW}" }\n'),
      { PW: '' },
    );
    expect(error.issues).toEqual([
      { path: 'repositories.home.password', message: 'must not be empty' },
    ]);
  });
});

describe('loadConfig secret files', () => {
  it('reads passwordFile and tokenFile, stripping one trailing newline', () => {
    writeFileSync(join(scratch, 'pw'), 'line-password\r\n');
    writeFileSync(join(scratch, 'token'), 'a-token-of-enough-length\n\n');
    const config = loadConfig(
      writeConfig(`
api: { tokens: [{ name: ops, role: admin, tokenFile: token }] }
repositories:
  home: { location: /r, passwordFile: pw }
`),
      {},
    );
    expect(config.repositories.home.password).toBe('line-password');
    expect(config.api.tokens).toEqual([
      { name: 'ops', role: 'admin', sha256: sha256('a-token-of-enough-length\n') },
    ]);
  });

  it('names a secret file it cannot read but never shows a secret it read', () => {
    writeFileSync(join(scratch, 'short'), 'tiny-secret\n');
    const error = loadError(
      writeConfig(`
api: { tokens: [{ name: ops, role: admin, tokenFile: short }] }
`),
    );
    expect(error.issues).toEqual([
      {
        path: 'api.tokens[0].tokenFile',
        message: `the token in ${join(scratch, 'short')} is shorter than 16 characters`,
      },
    ]);
    expect(error.message).not.toContain('tiny-secret');
  });
});

interface InvalidCase {
  file: string;
  path: string;
  message: string | RegExp;
  env?: NodeJS.ProcessEnv;
}

/**
 * Each file in test/fixtures/config/invalid is otherwise valid, so it must be rejected with
 * exactly one issue: the one it was written for.
 */
const INVALID_CASES: InvalidCase[] = [
  {
    file: '51-reserved-tag',
    path: 'backups.pictures.tags[1]',
    message: /^"backup=other" must not start with "backup="/,
  },
  {
    file: '52-require-mount-remote',
    path: 'repositories.main.requireMount',
    message: 'only a local repository can require a mounted filesystem',
  },
  {
    file: '53-retry-max-under-min',
    path: 'jobs.repositoryRetry.max',
    message: 'must not be shorter than min',
  },
  { file: '01-bad-duration', path: 'jobs.maxDuration', message: '"6hours" is not a duration' },
  { file: '02-bad-size', path: 'limits.upload', message: '"5X" is not a size' },
  {
    file: '03-bad-cron',
    path: 'backups.pictures.schedules[0]',
    message: /^"61 \* \* \* \*" is not a duration or cron expression: .*61/,
  },
  {
    file: '04-schedule-5x',
    path: 'backups.pictures.schedules[1]',
    message: /^"5x" is not a duration or cron expression$/,
  },
  {
    file: '05-unknown-root-key',
    path: 'hostnmae',
    message: 'unknown key (did you mean "hostname"?)',
  },
  {
    file: '06-unknown-hook-key',
    path: 'backups.pictures.hooks.before[0].tmeout',
    message: 'unknown key (did you mean "timeout"?)',
  },
  { file: '07-missing-password', path: 'repositories.main.password', message: 'is required' },
  {
    file: '08-password-and-password-file',
    path: 'repositories.main',
    message: 'either password or passwordFile, not both',
  },
  {
    file: '09-password-file-missing',
    path: 'repositories.main.passwordFile',
    message: `cannot read ${join(SECRETS, 'does-not-exist.txt')} (no such file)`,
  },
  {
    file: '10-unset-env-var',
    path: 'repositories.main.password',
    message: 'environment variable HEN_TEST_UNSET_PASSWORD is not set',
  },
  {
    file: '11-unknown-repository',
    path: 'backups.pictures.repositories[0]',
    message: 'unknown repository "foo"',
  },
  {
    file: '12-inline-repository-name-clash',
    path: 'backups.pictures.repositories[0].name',
    message: 'repository name "main" is already used by repositories.main',
  },
  { file: '13-empty-paths', path: 'backups.pictures.paths', message: 'must not be empty' },
  {
    file: '14-bad-priority',
    path: 'backups.pictures.priority',
    message: '"urgent" is not a priority',
  },
  {
    file: '15-priority-out-of-range',
    path: 'backups.pictures.priority',
    message: '2000000 is outside -1000000..1000000',
  },
  {
    file: '16-public-host-without-tokens',
    path: 'api.host',
    message: '"0.0.0.0" is not a loopback address',
  },
  { file: '17-short-token', path: 'api.tokens[0].token', message: 'shorter than 16 characters' },
  { file: '18-bad-port', path: 'api.port', message: '70000 is outside 1..65535' },
  {
    file: '19-empty-retention',
    path: 'backups.pictures.retention',
    message: 'needs at least one of',
  },
  {
    file: '20-bad-keep-within',
    path: 'backups.pictures.retention.keepWithin',
    message: '"30 days" is not a restic duration',
  },
  {
    file: '21-watch-min-over-max',
    path: 'backups.pictures.watch.wait',
    message: 'min (20m) must not be longer than max (10m)',
  },
  {
    file: '22-bad-ionice',
    path: 'limits.ionice',
    message: '"lazy" is not one of idle, best-effort, realtime',
  },
  { file: '23-nice-out-of-range', path: 'limits.nice', message: '25 is outside -20..19' },
  {
    file: '24-bad-hook-type',
    path: 'backups.pictures.hooks.after[0].type',
    message: '"email" is not a hook type',
  },
  {
    file: '25-when-on-before-hook',
    path: 'backups.pictures.hooks.before[0].when',
    message: 'only after hooks take "when"',
  },
  {
    file: '26-bad-backend-prefix',
    path: 'repositories.main.location',
    message:
      /^"ftp:" is not a restic backend \(accepted: local: sftp: rest: s3: swift: b2: azure: gs: rclone:\)/,
  },
  {
    file: '27-not-yaml-duplicate-key',
    path: '(root)',
    message: 'not valid YAML at line 9, column 1: Map keys must be unique',
  },
  {
    file: '30-password-file-empty',
    path: 'repositories.main.passwordFile',
    message: `${join(SECRETS, 'empty.txt')} is empty`,
  },
  {
    file: '31-token-and-token-file',
    path: 'api.tokens[0]',
    message: 'give only one of token, tokenFile or sha256',
  },
  {
    file: '32-unknown-location-param',
    path: 'repositories.main.locationParams',
    message: /^accessKey: unknown parameter for the s3 backend/,
  },
  {
    file: '33-unknown-backup-key',
    path: 'backups.pictures.exclude',
    message: 'unknown key (did you mean "excludes"?)',
  },
  { file: '34-bad-backup-name', path: 'backups["my pictures"]', message: 'is not a valid name' },
  {
    file: '35-backup-without-repositories',
    path: 'backups.pictures.repositories',
    message: 'needs at least one repository',
  },
  {
    file: '36-bad-hook-url',
    path: 'backups.pictures.hooks.after[0].url',
    message: 'expected an http or https URL',
  },
  {
    file: '37-bad-expected-status',
    path: 'backups.pictures.hooks.after[0].expectedStatus[1]',
    message: '700 is outside 100..599',
  },
  {
    file: '38-ionice-level-on-idle',
    path: 'limits.ionice.level',
    message: 'the idle class takes no level',
  },
  { file: '39-bad-log-level', path: 'log.level', message: '"verbose" is not one of fatal, error' },
  {
    file: '40-concurrency-out-of-range',
    path: 'jobs.concurrency',
    message: '100 is outside 1..64',
  },
  {
    file: '41-bad-read-data-subset',
    path: 'repositories.main.check.readDataSubset',
    message: '"150%" is not a percentage',
  },
  {
    file: '42-duration-without-unit',
    path: 'backups.pictures.hooks.after[0].timeout',
    message: '"30" needs a unit, like 30s',
  },
  {
    file: '43-malformed-env-reference',
    path: 'repositories.main.password',
    message: 'malformed ${...} reference',
  },
  {
    file: '44-bad-sha256',
    path: 'api.tokens[0].sha256',
    message: 'expected 64 hexadecimal digits',
  },
  {
    file: '45-repository-listed-twice',
    path: 'backups.pictures.repositories[1]',
    message: 'repository "main" is listed twice',
  },
  { file: '46-empty-file', path: '(root)', message: 'the file is empty' },
  {
    file: '47-env-file-missing',
    path: 'repositories.main.password',
    message: 'HEN_TEST_MISSING_FILE_PASSWORD_FILE: cannot read /nonexistent/secret (no such file)',
    env: { HEN_TEST_MISSING_FILE_PASSWORD_FILE: '/nonexistent/secret' },
  },
  {
    file: '48-inline-generated-name-clash',
    path: 'backups.pictures.repositories[0]',
    message: 'repository name "pictures-1" is already used by repositories.pictures-1',
  },
  {
    file: '49-unresolved-alias',
    path: '(root)',
    message: 'not valid YAML at line 9, column 15: Unresolved alias',
  },
  {
    file: '50-bad-location-param-value',
    path: 'repositories.main.locationParams.accountKey',
    message: 'expected a string, number or boolean, got a list',
  },
  {
    file: '51-notification-bad-webhook-url',
    path: 'notifications.targets.chat.url',
    message: 'expected an http or https URL',
  },
  {
    file: '52-notification-unknown-event',
    path: 'notifications.targets.chat.events[1]',
    message: '"job.exploded" is not one of job.queued',
  },
  {
    file: '53-notification-email-without-host',
    path: 'notifications.targets.chat.host',
    message: 'is required',
  },
  {
    file: '54-notification-bad-preset',
    path: 'notifications.targets.chat.preset',
    message: '"skype" is not one of slack, discord, mattermost, teams',
  },
  {
    file: '55-notification-ntfy-bad-url',
    path: 'notifications.targets.chat.url',
    message: 'expected an http or https URL',
  },
  {
    file: '56-notification-gotify-without-token',
    path: 'notifications.targets.chat.token',
    message: 'is required',
  },
  {
    file: '57-notification-healthchecks-bad-url',
    path: 'notifications.targets.chat.url',
    message: 'expected an http or https URL',
  },
  {
    file: '58-notification-uptime-kuma-without-url',
    path: 'notifications.targets.chat.url',
    message: 'is required',
  },
  {
    file: '59-notification-email-bad-address',
    path: 'notifications.targets.chat.to[0]',
    message: 'expected an email address',
  },
  {
    file: '60-notification-command-as-string',
    path: 'notifications.targets.chat.command',
    message: 'it runs without a shell',
  },
  {
    file: '61-notification-bad-template',
    path: 'notifications.targets.chat.body',
    message: 'not a valid template',
  },
  {
    file: '62-notification-unknown-type',
    path: 'notifications.targets.chat.type',
    message:
      '"telegram" is not one of webhook, ntfy, gotify, healthchecks, uptime-kuma, email, command',
  },
  {
    file: '63-notification-unknown-backup',
    path: 'notifications.targets.chat.backups[1]',
    message: 'unknown backup "movies"',
  },
  {
    file: '64-notification-unknown-key',
    path: 'notifications.targets.chat.evnets',
    message: 'unknown key (did you mean "events"?)',
  },
  {
    file: '65-notification-retry-max-below-initial',
    path: 'notifications.retry.maxDelay',
    message: 'must not be shorter than initialDelay',
  },
  {
    file: '66-notification-smtp-password-without-user',
    path: 'notifications.targets.chat.password',
    message: 'is given without a username',
    env: { SMTP_PW: 'smtp-secret-pw' },
  },
];

describe('loadConfig rejects malformed files', () => {
  it.each(INVALID_CASES)('$file: $path', ({ file, path, message, env }) => {
    const error = loadError(join(INVALID, `${file}.yaml`), env ?? {});
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues;
    expect(issue.path).toBe(path);
    if (typeof message === 'string') expect(issue.message).toContain(message);
    else expect(issue.message).toMatch(message);
  });

  it('has a case for every fixture file', () => {
    const covered = new Set([
      ...INVALID_CASES.map((c) => `${c.file}.yaml`),
      '28-several-errors.yaml',
      '29-secret-not-in-messages.yaml',
    ]);
    expect(readdirSync(INVALID).filter((f) => !covered.has(f))).toEqual([]);
  });

  it('reports every problem of a file, in the order of the file', () => {
    const error = loadError(join(INVALID, '28-several-errors.yaml'));
    expect(error.issues).toEqual([
      { path: 'hostname', message: 'must not be empty' },
      { path: 'jobs.concurrency', message: '0 is outside 1..64' },
      { path: 'repositories.main.password', message: 'is required (or passwordFile)' },
      { path: 'backups.pictures.paths', message: 'must not be empty' },
      { path: 'backups.pictures.repositories[1]', message: 'unknown repository "nowhere"' },
      {
        path: 'backups.pictures.schedules[0]',
        message: '"5x" is not a duration or cron expression',
      },
      { path: 'backups.pictures.exclude', message: 'unknown key (did you mean "excludes"?)' },
    ]);
    const lines = error.message.split('\n');
    for (const issue of error.issues) expect(lines).toContain(`${issue.path}: ${issue.message}`);
  });

  it('never shows a secret value in an error message', () => {
    const env = {
      LOG_LEVEL_SECRET: 'loud-secret-level',
      REPO_PASSWORD_SECRET: 'repo-password-secret',
      REPO_PARAM_SECRET: 'param-secret-value',
      SCHEDULE_SECRET: 'every-secret-5x',
    };
    const error = loadError(join(INVALID, '29-secret-not-in-messages.yaml'), env);
    expect(error.issues).toEqual([
      {
        path: 'log.level',
        message: '"${LOG_LEVEL_SECRET}" is not one of fatal, error, warn, info, debug, trace',
      },
      {
        path: 'backups.pictures.schedules[0]',
        message: '"${SCHEDULE_SECRET}" is not a duration or cron expression',
      },
      // A repository password pasted into the wrong key is masked even though it was not substituted.
      {
        path: 'backups.pictures.priority',
        message: expect.stringMatching(/^"\*\*\*" is not a priority/) as string,
      },
    ]);
    const everything = JSON.stringify(error.issues) + error.message + String(error.stack);
    for (const secret of [...Object.values(env), 'other-literal-password']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('gives the line and column of a YAML syntax error, without quoting the file', () => {
    const file = writeConfig(
      'hostname: laptop\nrepositories:\n  home: { password: hunter2-secret\n',
    );
    const error = loadError(file);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].path).toBe('(root)');
    expect(error.issues[0].message).toMatch(/^not valid YAML at line \d+, column \d+: /);
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('reports a file it cannot read at the root', () => {
    const missing = join(scratch, 'missing.yaml');
    expect(loadError(missing).issues).toEqual([
      { path: '(root)', message: `cannot read ${missing} (no such file)` },
    ]);
  });

  it('refuses a document that is not a mapping', () => {
    expect(loadError(writeConfig('- a\n- b\n')).issues).toEqual([
      { path: '(root)', message: 'expected a mapping, got a list' },
    ]);
  });
});

describe('loadConfig further rules', () => {
  const issuesOf = (text: string) => loadError(writeConfig(text)).issues;

  it.each(['localhost', '127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1'])(
    'lets the API listen on %s without tokens',
    (host) => {
      expect(loadConfig(writeConfig(`api: { host: '${host}' }`), {}).api.host).toBe(host);
    },
  );

  it.each(['0.0.0.0', '::', '192.168.1.10', 'nas.example'])(
    'refuses %s without tokens but accepts it with some',
    (host) => {
      expect(issuesOf(`api: { host: '${host}' }`)).toEqual([
        {
          path: 'api.host',
          message: expect.stringContaining('is not a loopback address') as string,
        },
      ]);
      const config = loadConfig(
        writeConfig(
          `api: { host: '${host}', tokens: [{ name: a, role: viewer, token: a-token-long-enough }] }`,
        ),
        {},
      );
      expect(config.api.host).toBe(host);
    },
  );

  it('reads readOnly as a boolean, also from an environment variable', () => {
    expect(loadConfig(writeConfig('readOnly: true'), {}).readOnly).toBe(true);
    expect(loadConfig(writeConfig('readOnly: false'), {}).readOnly).toBe(false);
    expect(loadConfig(writeConfig('readOnly: ${RO}'), { RO: 'true' }).readOnly).toBe(true);
    expect(issuesOf('readOnly: yes-please')).toEqual([
      { path: 'readOnly', message: 'expected true or false, got a string' },
    ]);
    expect(issuesOf('readOnly: 1')).toEqual([
      { path: 'readOnly', message: expect.stringContaining('expected true or false') as string },
    ]);
  });

  it('refuses two tokens with the same name or the same value', () => {
    expect(
      issuesOf(`
api:
  tokens:
    - { name: a, role: viewer, token: first-token-0123456789 }
    - { name: a, role: admin, token: second-token-0123456789 }
    - { name: c, role: admin, token: first-token-0123456789 }
`),
    ).toEqual([
      { path: 'api.tokens[1].name', message: '"a" is already used by tokens[0]' },
      { path: 'api.tokens[2]', message: 'same token as tokens[0]' },
    ]);
  });

  it('refuses bandwidth limits restic cannot apply', () => {
    expect(issuesOf('limits: { download: 512 }')).toEqual([
      { path: 'limits.download', message: 'must be at least 1K (restic limits in KiB/s)' },
    ]);
  });

  it('refuses a snapshot index ceiling that is not a size, naming the key', () => {
    expect(issuesOf('index: { maxSize: lots }')).toEqual([
      { path: 'index.maxSize', message: expect.stringMatching(/is not a size/) as string },
    ]);
    expect(issuesOf('index: { maxSixe: 1G }')).toEqual([
      { path: 'index.maxSixe', message: expect.stringMatching(/^unknown key/) as string },
    ]);
  });

  it('reports unknown keys of the other hook type', () => {
    expect(
      issuesOf(`${MINIMAL_REPO}
backups:
  home:
    paths: [/home]
    repositories: [home]
    hooks: { after: [{ type: command, command: [ls], url: 'http://x/' }] }
`),
    ).toEqual([
      {
        path: 'backups.home.hooks.after[0].url',
        message: expect.stringMatching(/^unknown key/) as string,
      },
    ]);
  });

  it('follows YAML anchors and merge keys', () => {
    const config = loadConfig(
      writeConfig(`
repositories:
  a: &repo { location: /srv/a, password: a-password, limits: { upload: 1M } }
  b: { <<: *repo, location: /srv/b }
backups:
  home: { paths: [/home], repositories: [a, b] }
`),
      {},
    );
    expect(config.repositories.b).toMatchObject({ location: '/srv/b', password: 'a-password' });
    expect(config.repositories.b.limits).toEqual({ upload: 1024 ** 2 });
  });
});
