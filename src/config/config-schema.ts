import { z } from 'zod/v4';
import { NAME_PATTERN } from './config-names';
import { given } from './config-reader';
import {
  NOTIFICATION_EVENTS,
  type NotificationTargetType,
  SEVERITIES,
  WEBHOOK_PRESETS,
} from './notifications.types';
import { JOB_OPERATION_NAMES } from './operation-names';
import { MAX_USER_PRIORITY, PRIORITY } from './priority';
import { BACKENDS, locationParamHelp } from './provider-env';

/**
 * The shape of the configuration file, as a person writes it: which keys each mapping takes, what
 * kind of value each holds, the closed sets of words, the ranges, and what every key means. It is
 * the one declaration of the format. The readers (read-*.ts) take their key lists from it, so that
 * unknown keys and "did you mean" hints follow it; the loader checks every file against it; and
 * `hen-backup.schema.json`, the JSON Schema editors use, is generated from it
 * (`npm run config-schema`).
 *
 * It describes the file before `${VAR}` substitution, so wherever a number, a boolean or a value
 * with a syntax is expected, a string holding a `${VAR}` reference is accepted as well. What a
 * schema cannot say (that a cron expression parses, that a repository named in a backup exists,
 * that a secret file can be read) stays with the readers, which also turn values into their typed
 * form (durations into milliseconds, sizes into bytes, priorities into ranks).
 */

/** A `${NAME}` reference, filled in from the environment when the file is loaded. */
const ENV_REFERENCE = String.raw`\$\{[A-Za-z_][A-Za-z0-9_]*\}`;
const WHOLE_NUMBER = String.raw`^\s*[+-]?\d+\s*$`;
const DURATION = String.raw`^\s*(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+$`;
const SIZE = String.raw`^\s*\d+(?:\.\d+)?\s*(?:[kmgtKMGT](?:[iI]?[bB])?|[bB])?\s*$`;

/** A string matching one of the patterns, or holding a `${VAR}` reference. */
function patterned(...patterns: string[]) {
  return z.string().regex(new RegExp([...patterns, ENV_REFERENCE].join('|')));
}

/** Text with something in it (blank values are refused). */
const text = () => z.string().regex(/\S/);

/** Whole numbers also come as text, since `${PORT}` is a string until it is substituted. */
const integer = (min: number, max: number) =>
  z.union([z.int().min(min).max(max), patterned(WHOLE_NUMBER)]);

/** One of a closed set of words. */
const word = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.union([z.enum(values), patterned()]);

const boolean = () => z.union([z.boolean(), z.enum(['true', 'false']), patterned()]);

/** Environment variables and parameters are text; numbers and booleans are taken as written. */
const scalar = () => z.union([z.string(), z.number(), z.boolean()]);

const duration = () => patterned(DURATION);

const size = () => z.union([z.int().positive(), patterned(SIZE)]);

/** An interval, or a cron expression (anything with spaces, checked when the file is loaded). */
const schedules = () =>
  z
    .array(patterned(DURATION, String.raw`\S\s+\S`))
    .describe(
      'When to run: intervals (30s, 5m, 6h, 1d, 1w) or cron expressions with 5 fields, or 6 ' +
        'with seconds first; the nearest one wins.',
    );

const PRIORITY_NAMES = Object.keys(PRIORITY) as (keyof typeof PRIORITY)[];
const priority = () =>
  z
    .union([
      z.enum(PRIORITY_NAMES as [keyof typeof PRIORITY, ...(keyof typeof PRIORITY)[]]),
      z.int().min(-MAX_USER_PRIORITY).max(MAX_USER_PRIORITY),
      // Names and numbers as the readers take them, spaces around included.
      patterned(WHOLE_NUMBER, String.raw`^\s*(?:${PRIORITY_NAMES.join('|')})\s*$`),
    ])
    .describe(
      'Queue priority: immediate (start now, beside what runs), next (head of the queue), ' +
        `superior, normal, inferior, on-idle (only when nothing else waits), or an integer ` +
        `from -${MAX_USER_PRIORITY} to ${MAX_USER_PRIORITY} (normal is 0, higher runs first).`,
    );

/** `key:` with nothing after it counts as absent. */
const optional = <T extends z.ZodType>(schema: T, description: string) =>
  schema.nullish().describe(description);

/** Keys named by the user (repositories, backups, targets): what restic tags and the API allow. */
const named = <T extends z.ZodType>(item: T) => z.record(z.string().regex(NAME_PATTERN), item);

/**
 * Rules across keys that JSON Schema states with `required`: exactly one of a few keys (`oneOf`),
 * or at least one (`anyOf`). Declared once here, checked by the loader through zod and published
 * through the override in {@link configJsonSchema}.
 */
const keyRules = new WeakMap<object, { keys: readonly string[]; exactly: boolean }>();

function requireKeys<T extends z.ZodObject>(
  object: T,
  keys: readonly string[],
  exactly: boolean,
  description: string,
) {
  const checked = object.check((ctx) => {
    const present = keys.filter((key) => given(ctx.value[key]));
    if (exactly ? present.length !== 1 : present.length === 0) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `needs ${exactly ? 'exactly' : 'at least'} one of ${keys.join(', ')}`,
      });
    }
  });
  // describe() makes a new schema, so the rule is recorded on the final one.
  const ruled = checked.describe(description);
  keyRules.set(ruled, { keys, exactly });
  return ruled;
}

/** A local folder, or a backend's prefix followed by something. */
const LOCATION =
  String.raw`^(?:(?![A-Za-z][A-Za-z0-9]*:)[\s\S]*\S[\s\S]*|(?:` +
  BACKENDS.join('|') +
  String.raw`):[\s\S]*\S[\s\S]*)$`;

/** An http or https URL; the readers parse it (and, where it is a template, fill it in first). */
const HTTP_URL = String.raw`^\s*[Hh][Tt][Tt][Pp][Ss]?:`;
const httpUrl = () => patterned(HTTP_URL);
const method = () => patterned('^[A-Za-z]+$').describe('HTTP method; default POST.');
const headers = () =>
  z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), scalar())
    .describe('HTTP headers to send, by name.');
const environment = () =>
  z
    .record(z.string().regex(/^[^=\0]+$/), scalar())
    .describe('Environment variables added for the command.');
const command = (description: string) => z.array(scalar()).min(1).describe(description);

/** Shorter tokens are too easy to guess. */
export const MIN_TOKEN_LENGTH = 16;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export const IONICE_CLASSES = ['idle', 'best-effort', 'realtime'] as const;
export const API_ROLES = ['viewer', 'operator', 'admin'] as const;
export const HOOK_FAILURE_POLICIES = ['ignore', 'continue', 'break', 'stop'] as const;
export const HOOK_WHEN = ['success', 'failure', 'always'] as const;
export const SMTP_SECURITY = ['tls', 'starttls', 'none'] as const;

export const IONICE_SETTING_SCHEMA = z.strictObject({
  class: word(IONICE_CLASSES).describe('I/O scheduling class.'),
  level: optional(integer(0, 7), 'Level within the class, 0 (first) to 7; not for idle.'),
});

export const LIMITS_SCHEMA = z
  .strictObject({
    upload: optional(
      size(),
      'Upload bandwidth in bytes per second, with units (50K, 5M); at least 1K.',
    ),
    download: optional(size(), 'Download bandwidth in bytes per second, with units (50K, 5M).'),
    nice: optional(integer(-20, 19), 'CPU niceness of restic, -20 to 19 (higher is nicer).'),
    ionice: optional(
      z.union([word(IONICE_CLASSES), IONICE_SETTING_SCHEMA]),
      'I/O scheduling of restic: idle, best-effort or realtime, or { class, level }.',
    ),
  })
  .describe(
    'Bandwidth and CPU/IO limits; the tightest of the global, repository and backup levels wins.',
  )
  // Written once in the published schema, under definitions, and referred to from its three places.
  .meta({ id: 'limits' });

const CHECK_SCHEMA = z
  .strictObject({
    schedules: optional(schedules(), 'When to check the repository.'),
    readDataSubset: optional(
      z.union([
        z.int().positive(),
        patterned(String.raw`^\s*\d+(?:\.\d+)?\s*%\s*$`, String.raw`^\s*\d+\s*/\s*\d+\s*$`, SIZE),
      ]),
      'Also read this part of the data: a percentage (5%), a fraction (1/10) or a size (500M).',
    ),
    priority: optional(priority(), 'Priority of scheduled checks; default inferior.'),
  })
  .describe('Scheduled `restic check` runs.');

const repositoryShape = {
  location: patterned(LOCATION).describe(
    'Where the restic repository is: a local folder (relative to this file), or sftp:, rest:, ' +
      's3:, swift:, b2:, azure:, gs:, rclone: locations.',
  ),
  password: optional(text(), 'Repository password; use ${VAR} for secrets, or passwordFile.'),
  passwordFile: optional(
    text(),
    'File holding the repository password (trailing newline ignored).',
  ),
  locationParams: optional(
    z.record(z.string(), scalar()),
    "The backend's settings (accessKeyId, secretAccessKey, region, authUrl...), passed to restic " +
      'as its environment variables.',
  ),
  limits: optional(LIMITS_SCHEMA, 'Limits for jobs on this repository.'),
  check: optional(CHECK_SCHEMA, 'Scheduled checks of this repository.'),
  requireMount: optional(
    boolean(),
    'A local repository only: refuse to write unless its folder is on a mounted filesystem.',
  ),
};

/** Repositories, whose `locationParams` depend on the backend their location names. */
const repositorySchemas = new WeakSet<object>();

export const REPOSITORY_SCHEMA = requireKeys(
  z.strictObject(repositoryShape),
  ['password', 'passwordFile'],
  true,
  'A restic repository.',
);

export const INLINE_REPOSITORY_SCHEMA = requireKeys(
  z.strictObject({
    ...repositoryShape,
    name: optional(text(), 'Its name; by default <backup>-<position>.'),
  }),
  ['password', 'passwordFile'],
  true,
  'A repository declared inside the backup.',
);
repositorySchemas.add(REPOSITORY_SCHEMA).add(INLINE_REPOSITORY_SCHEMA);

const hookCommon = {
  timeout: optional(duration(), 'How long the hook may take; default 1m (http) or 5m (command).'),
  onFailure: optional(
    word(HOOK_FAILURE_POLICIES),
    'When the hook fails: break (stop the backup; default before), continue (default after), ' +
      'ignore, or stop (= break).',
  ),
};
const when = optional(
  word(HOOK_WHEN),
  'After hooks only: run after a success, a failure, or always (default).',
);
const httpHookShape = {
  url: httpUrl().describe('The http or https URL to call.'),
  method: optional(method(), 'HTTP method; default POST.'),
  headers: optional(headers(), 'HTTP headers to send.'),
  body: optional(z.string(), 'Request body.'),
  retries: optional(integer(0, 10), 'Tries after a failure, 0 to 10.'),
  expectedStatus: optional(
    z.union([integer(100, 599), z.array(integer(100, 599))]),
    'Statuses that mean success; by default any 2xx.',
  ),
};
const commandHookShape = {
  command: command('Program and arguments, run without a shell: [program, arg, ...].'),
  cwd: optional(text(), 'Working folder, relative to this file.'),
  env: optional(environment(), 'Environment variables added for the command.'),
};
const hookType = (type: 'http' | 'command') =>
  z.literal(type).describe('http (call a URL) or command (run a program).');

export const AFTER_HOOK_SCHEMAS = {
  http: z.strictObject({ type: hookType('http'), ...hookCommon, when, ...httpHookShape }),
  command: z.strictObject({ type: hookType('command'), ...hookCommon, when, ...commandHookShape }),
};
const BEFORE_HOOK_SCHEMAS = {
  http: z.strictObject({ type: hookType('http'), ...hookCommon, ...httpHookShape }),
  command: z.strictObject({ type: hookType('command'), ...hookCommon, ...commandHookShape }),
};

const HOOKS_SCHEMA = z
  .strictObject({
    before: optional(
      z.array(
        z.discriminatedUnion('type', [BEFORE_HOOK_SCHEMAS.http, BEFORE_HOOK_SCHEMAS.command]),
      ),
      'Hooks run before the backup, in order; a failing one stops it by default.',
    ),
    after: optional(
      z.array(z.discriminatedUnion('type', [AFTER_HOOK_SCHEMAS.http, AFTER_HOOK_SCHEMAS.command])),
      'Hooks run after the backup, in order.',
    ),
  })
  .describe('HTTP calls and commands around the backup.');

const KEEP_COUNTS = {
  keepLast: 'Keep the last n snapshots.',
  keepHourly: 'Keep the last snapshot of each of the last n hours.',
  keepDaily: 'Keep the last snapshot of each of the last n days.',
  keepWeekly: 'Keep the last snapshot of each of the last n weeks.',
  keepMonthly: 'Keep the last snapshot of each of the last n months.',
  keepYearly: 'Keep the last snapshot of each of the last n years.',
};

const RETENTION_SCHEMA = requireKeys(
  z.strictObject({
    keepLast: optional(integer(1, 1_000_000_000), KEEP_COUNTS.keepLast),
    keepHourly: optional(integer(1, 1_000_000_000), KEEP_COUNTS.keepHourly),
    keepDaily: optional(integer(1, 1_000_000_000), KEEP_COUNTS.keepDaily),
    keepWeekly: optional(integer(1, 1_000_000_000), KEEP_COUNTS.keepWeekly),
    keepMonthly: optional(integer(1, 1_000_000_000), KEEP_COUNTS.keepMonthly),
    keepYearly: optional(integer(1, 1_000_000_000), KEEP_COUNTS.keepYearly),
    keepWithin: optional(
      patterned(String.raw`^\s*(?:\d+[ymdh])+\s*$`),
      "Keep every snapshot within this time of the newest, in restic's syntax (1y6m, 30d).",
    ),
  }),
  [...Object.keys(KEEP_COUNTS), 'keepWithin'],
  false,
  'Which snapshots `restic forget` keeps.',
);

export const BACKUP_SCHEMA = z
  .strictObject({
    paths: z
      .array(text())
      .min(1)
      .describe('Files and folders to back up; relative ones are relative to this file.'),
    excludes: optional(z.array(text()), "restic's exclude patterns."),
    tags: optional(
      z.array(z.string().regex(/^(?!backup=)[^,\s]+$/)),
      'Tags added to every snapshot, beside backup=<name> (no commas or spaces).',
    ),
    repositories: z
      .array(z.union([text(), INLINE_REPOSITORY_SCHEMA]))
      .min(1)
      .describe('Where to back up: names of repositories, or repository definitions.'),
    schedules: optional(schedules(), 'When to back up.'),
    watch: optional(
      z.strictObject({
        wait: optional(
          z.strictObject({
            min: optional(duration(), 'Quiet time after the last change; default 30s.'),
            max: optional(duration(), 'Longest wait after the first change; default 10m.'),
          }),
          'How long changes must settle before the backup.',
        ),
      }),
      'Back up when files under the paths change.',
    ),
    priority: optional(priority(), 'Priority of this backup; default normal.'),
    limits: optional(LIMITS_SCHEMA, 'Limits for this backup.'),
    retention: optional(RETENTION_SCHEMA, 'Which snapshots to keep when pruning.'),
    prune: optional(
      z.strictObject({
        schedules: optional(schedules(), 'When to prune.'),
        priority: optional(priority(), 'Priority of pruning; default inferior.'),
      }),
      'Scheduled `restic forget --prune` with the retention.',
    ),
    hooks: optional(HOOKS_SCHEMA, 'HTTP calls and commands around the backup.'),
    maxDuration: optional(duration(), 'Stop the backup (as timed out) after this long.'),
  })
  .describe('A backup: what to back up, where, and when.');

export const API_TOKEN_SCHEMA = requireKeys(
  z.strictObject({
    name: text().describe('Who uses the token; shown in audit logs.'),
    role: z
      .enum(API_ROLES)
      .describe('viewer reads, operator also runs jobs, admin may do everything.'),
    token: optional(
      patterned(`^[\\s\\S]{${MIN_TOKEN_LENGTH},}$`),
      `The token itself (at least ${MIN_TOKEN_LENGTH} characters); use \${VAR}.`,
    ),
    tokenFile: optional(text(), 'A file holding the token.'),
    sha256: optional(
      patterned(String.raw`^\s*[0-9a-fA-F]{64}\s*$`),
      'The SHA-256 of the token, in hexadecimal, instead of the token.',
    ),
  }),
  ['token', 'tokenFile', 'sha256'],
  true,
  'A bearer token and its role.',
);

const API_SCHEMA = z
  .strictObject({
    host: optional(
      text(),
      'Address to listen on; default 127.0.0.1. Other than loopback needs tokens.',
    ),
    port: optional(integer(1, 65535), 'Port to listen on; default 4000.'),
    tokens: optional(
      z.array(API_TOKEN_SCHEMA),
      'Bearer tokens; without any the API only listens on loopback.',
    ),
    openIntrospection: optional(
      boolean(),
      'Let introspection queries through without a token; default false.',
    ),
  })
  .describe('The GraphQL API.');

const targetCommon = {
  events: optional(
    z.array(word(NOTIFICATION_EVENTS)).min(1),
    'Events to deliver; by default outcomes (not job.queued or job.started).',
  ),
  operations: optional(
    z.array(word(JOB_OPERATION_NAMES)),
    'Only jobs of these operations; all when left out.',
  ),
  backups: optional(z.array(text()), 'Only events about these backups; all when left out.'),
  repositories: optional(
    z.array(text()),
    'Only events about these repositories; all when left out.',
  ),
  severity: optional(word(SEVERITIES), 'The least severity delivered; default info.'),
  timeout: optional(duration(), 'How long one delivery may take; default 30s.'),
};
const template = (description: string) =>
  optional(text(), `${description} (a Handlebars template: {{summary}}, {{backup}}...).`);
const target = <T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S) =>
  z.strictObject({
    type: z.literal(type).describe('What receives the notifications.'),
    ...targetCommon,
    ...shape,
  });

export const TARGET_SCHEMAS = {
  webhook: target('webhook', {
    url: httpUrl().describe('The URL to call.'),
    method: optional(method(), 'HTTP method; default POST.'),
    headers: optional(headers(), 'HTTP headers to send.'),
    preset: optional(
      word(WEBHOOK_PRESETS),
      'Shape the body for Slack, Discord, Mattermost, Teams.',
    ),
    body: template('Request body'),
  }),
  ntfy: target('ntfy', {
    url: httpUrl().describe("The topic's URL, like https://ntfy.sh/my-backups."),
    token: optional(text(), 'Access token.'),
    title: template('Title'),
    message: template('Message'),
  }),
  gotify: target('gotify', {
    url: httpUrl().describe("The server's URL."),
    token: text().describe('Application token.'),
    title: template('Title'),
    message: template('Message'),
  }),
  healthchecks: target('healthchecks', {
    url: httpUrl().describe('Ping URL; may name the backup: https://hc-ping.com/KEY/{{backup}}.'),
  }),
  'uptime-kuma': target('uptime-kuma', {
    url: httpUrl().describe('Push monitor URL.'),
  }),
  email: target('email', {
    host: text().describe('SMTP server.'),
    port: optional(integer(1, 65535), 'SMTP port; by default from security (465, 587, 25).'),
    security: optional(word(SMTP_SECURITY), 'tls, starttls (default) or none.'),
    username: optional(text(), 'SMTP user name.'),
    password: optional(text(), 'SMTP password; use ${VAR}.'),
    from: patterned(
      String.raw`^\s*(?:[^\s@<>]+@[^\s@<>]+|[^<>]*<[^\s@<>]+@[^\s@<>]+>)\s*$`,
    ).describe('Sender address.'),
    to: z
      .union([
        patterned(String.raw`^\s*(?:[^\s@<>]+@[^\s@<>]+|[^<>]*<[^\s@<>]+@[^\s@<>]+>)\s*$`),
        z
          .array(patterned(String.raw`^\s*(?:[^\s@<>]+@[^\s@<>]+|[^<>]*<[^\s@<>]+@[^\s@<>]+>)\s*$`))
          .min(1),
      ])
      .describe('Recipient address, or a list of them.'),
    subject: template('Subject'),
    body: template('Body'),
    allowInvalidCertificate: optional(
      boolean(),
      'Accept a server certificate that does not verify; default false.',
    ),
  }),
  command: target('command', {
    command: command(
      'Program and arguments (each a template), run without a shell; the event comes as JSON on stdin.',
    ),
    env: optional(environment(), 'Environment variables added for the command.'),
  }),
} satisfies Record<NotificationTargetType, z.ZodObject>;

const NOTIFICATIONS_SCHEMA = z
  .strictObject({
    retry: optional(
      z.strictObject({
        initialDelay: optional(duration(), 'Delay before the first retry; default 10s.'),
        maxDelay: optional(duration(), 'Longest delay between retries; default 1h.'),
        factor: optional(integer(1, 10), 'Each delay is the previous one times this; default 2.'),
        maxAttempts: optional(integer(1, 10_000), 'Attempts before giving up; default 60.'),
      }),
      'How failed deliveries are retried.',
    ),
    targets: optional(
      named(
        z.discriminatedUnion('type', [
          TARGET_SCHEMAS.webhook,
          TARGET_SCHEMAS.ntfy,
          TARGET_SCHEMAS.gotify,
          TARGET_SCHEMAS.healthchecks,
          TARGET_SCHEMAS['uptime-kuma'],
          TARGET_SCHEMAS.email,
          TARGET_SCHEMAS.command,
        ]),
      ),
      'Where notifications go, by name.',
    ),
  })
  .describe('Notifications of job outcomes and daemon events.');

export const CONFIG_SCHEMA = z
  .strictObject({
    hostname: optional(text(), "Host name for restic's snapshots; default the machine's."),
    dataDir: optional(
      text(),
      'Folder for state (SQLite), restic cache and temporary files; default /var/lib/hen-backup.',
    ),
    readOnly: optional(
      boolean(),
      'Never write to a repository: no triggers, no backups; browsing and restores still work.',
    ),
    api: optional(API_SCHEMA, 'The GraphQL API.'),
    log: optional(
      z.strictObject({
        level: optional(word(LOG_LEVELS), 'Least level logged; default info.'),
      }),
      'Logging.',
    ),
    jobs: optional(
      z.strictObject({
        concurrency: optional(integer(1, 64), 'Jobs that may run at once; default 2.'),
        maxDuration: optional(duration(), 'A job running longer fails as timed out; default 6h.'),
        idleDelay: optional(
          duration(),
          'How long nothing but on-idle jobs must have run or waited before an on-idle job ' +
            'starts, so that one does not take the slot of work that follows at once; default 2s.',
        ),
        history: optional(
          z.strictObject({
            keepDays: optional(integer(1, 100_000), 'Days of job history kept; default 90.'),
            keepCount: optional(integer(1, 100_000_000), 'Jobs kept at most; default 10000.'),
          }),
          'How much job history is kept.',
        ),
        repositoryRetry: optional(
          z.strictObject({
            min: optional(duration(), 'First pause; default 15s.'),
            max: optional(duration(), 'Longest pause; default 10m.'),
          }),
          'Pauses between tries to open a failing repository, doubling from min to max.',
        ),
      }),
      'The job queue.',
    ),
    limits: optional(LIMITS_SCHEMA, 'Default limits for every job.'),
    restore: optional(
      z.strictObject({
        allowedTargets: optional(
          z.array(text()),
          'Folders restores may write into (besides downloads).',
        ),
      }),
      'Restores.',
    ),
    repositories: optional(named(REPOSITORY_SCHEMA), 'Repositories, by name.'),
    backups: optional(named(BACKUP_SCHEMA), 'Backups, by name.'),
    notifications: optional(NOTIFICATIONS_SCHEMA, 'Notifications.'),
    index: optional(
      z.strictObject({
        maxSize: optional(
          size(),
          'Ceiling of the snapshot index; above it the least used snapshots are evicted. Default none.',
        ),
      }),
      'The snapshot index (browsing and search).',
    ),
  })
  .describe('hen-backup configuration');

/** The keys a mapping of the schema takes, in the order they are declared; `inside` walks down. */
export function keysOf(schema: z.ZodType, ...inside: string[]): string[] {
  let object = objectOf(schema);
  for (const key of inside) object = objectOf(object.shape[key] as z.ZodType);
  return Object.keys(object.shape);
}

/** The JSON Schema editors use, generated from {@link CONFIG_SCHEMA}. */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(CONFIG_SCHEMA, {
    target: 'draft-7',
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      // zod copies the definition's name into it as `id`, a keyword draft-07 does not have.
      delete jsonSchema.id;
      if (repositorySchemas.has(zodSchema)) jsonSchema.allOf = locationParamRules();
      const rule = keyRules.get(zodSchema);
      if (rule) {
        const alternatives = rule.keys.map((key) => ({ required: [key] }));
        if (rule.exactly) jsonSchema.oneOf = alternatives;
        else jsonSchema.anyOf = alternatives;
      }
    },
  });
  return {
    $schema: generated.$schema,
    title: 'hen-backup configuration',
    ...generated,
  };
}

/**
 * For each backend, the `locationParams` keys it takes (from provider-env.ts, which maps them to
 * restic). Only in the published schema: the readers check them with their own messages.
 */
function locationParamRules(): Record<string, unknown>[] {
  return BACKENDS.map((backend) => {
    // A location in a ${VAR} could be anything, so only a written one decides.
    const location =
      backend === 'local'
        ? String.raw`^(?![A-Za-z][A-Za-z0-9]*:)(?![\s\S]*\$\{)|^local:`
        : `^${backend}:`;
    const help = locationParamHelp(backend);
    const properties = Object.fromEntries(
      Object.entries(help).map(([key, description]) => [key, { description }]),
    );
    return {
      if: {
        type: 'object',
        properties: {
          location: { description: `A ${backend} location.`, type: 'string', pattern: location },
        },
      },
      then: {
        type: 'object',
        properties: {
          locationParams: {
            description: `Parameters of the ${backend} backend.`,
            anyOf: [{ type: 'object', properties, additionalProperties: false }, { type: 'null' }],
          },
        },
      },
    };
  });
}

/** The text of `hen-backup.schema.json`. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/** The mapping inside optional and nullable wrappers. */
export function objectOf(schema: z.ZodType): z.ZodObject {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
    inner = inner.unwrap() as z.ZodType;
  }
  if (!(inner instanceof z.ZodObject)) throw new Error('not a mapping in the config schema');
  return inner;
}
