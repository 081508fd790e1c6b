import { handlebars } from './handlebars';
import { readCommand, readEnv, readHeaders, readMethod } from './read-request-parts';
import type { ConfigPath } from './config-path';
import { type ConfigReader, given, isMapping } from './config-reader';
import { checkName } from './config-names';
import {
  NOTIFICATION_EVENTS,
  type NotificationEventName,
  type NotificationFilter,
  type NotificationRetry,
  type NotificationsConfig,
  type NotificationTarget,
  type NotificationTargetType,
  SEVERITIES,
  type SmtpSecurity,
  WEBHOOK_PRESETS,
} from './notifications.types';
import { JOB_OPERATION_NAMES } from './operation-names';
import { isHttpUrl } from './read-location';
import { typeName } from './value-type';
import { CONFIG_SCHEMA, keysOf, SMTP_SECURITY, TARGET_SCHEMAS } from './config-schema';

const NOTIFICATIONS = CONFIG_SCHEMA.shape.notifications;

export const NOTIFICATION_RETRY_DEFAULTS: Readonly<NotificationRetry> = Object.freeze({
  initialDelayMs: 10_000,
  maxDelayMs: 3_600_000,
  factor: 2,
  // About two days at the longest delay: long enough to outlast a weekend outage of a receiver.
  maxAttempts: 60,
});

const TARGET_TYPES = Object.keys(TARGET_SCHEMAS) as NotificationTargetType[];
const TARGET_KEYS = Object.fromEntries(
  TARGET_TYPES.map((type) => [type, keysOf(TARGET_SCHEMAS[type])]),
) as Record<NotificationTargetType, string[]>;
const SECURITY: readonly SmtpSecurity[] = SMTP_SECURITY;
const DEFAULT_PORT: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };

/**
 * Outcomes, not every step: queued and started are noise for people. Heartbeat monitors want
 * the start and the end of backups, which is what a ping schedule is about.
 */
const DEFAULT_EVENTS: readonly NotificationEventName[] = NOTIFICATION_EVENTS.filter(
  (event) => event !== 'job.queued' && event !== 'job.started',
);
const HEARTBEAT_EVENTS: readonly NotificationEventName[] = [
  'job.started',
  'job.succeeded',
  'job.warnings',
  'job.failed',
  'job.timed-out',
  'job.canceled',
  'job.interrupted',
];

export interface KnownNames {
  backups: ReadonlySet<string>;
  repositories: ReadonlySet<string>;
}

export function readNotifications(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  known: KnownNames,
): NotificationsConfig {
  const fallback = (): NotificationsConfig => ({
    retry: { ...NOTIFICATION_RETRY_DEFAULTS },
    targets: {},
  });
  if (!given(value)) return fallback();
  const map = r.mapping(value, path, keysOf(NOTIFICATIONS));
  if (!map) return fallback();
  const targets: Record<string, NotificationTarget> = {};
  if (given(map.targets)) {
    const targetsPath = [...path, 'targets'];
    if (!isMapping(map.targets)) {
      r.issue(targetsPath, `expected a mapping of names to targets, got ${typeName(map.targets)}`);
    } else {
      for (const [name, item] of Object.entries(map.targets)) {
        const itemPath = [...targetsPath, name];
        if (!checkName(r, name, itemPath)) continue;
        const target = readTarget(r, item, itemPath, name, known);
        if (target) targets[name] = target;
      }
    }
  }
  return {
    retry: r.optional(map, 'retry', path, (v, p) => readRetry(r, v, p), {
      ...NOTIFICATION_RETRY_DEFAULTS,
    }),
    targets,
  };
}

function readRetry(r: ConfigReader, value: unknown, path: ConfigPath) {
  const map = r.mapping(value, path, keysOf(NOTIFICATIONS, 'retry'));
  if (!map) return undefined;
  const d = NOTIFICATION_RETRY_DEFAULTS;
  const retry: NotificationRetry = {
    initialDelayMs: r.optional(map, 'initialDelay', path, r.duration(100), d.initialDelayMs),
    maxDelayMs: r.optional(map, 'maxDelay', path, r.duration(100), d.maxDelayMs),
    factor: r.optional(map, 'factor', path, r.integer(1, 10), d.factor),
    maxAttempts: r.optional(map, 'maxAttempts', path, r.integer(1, 10_000), d.maxAttempts),
  };
  if (retry.maxDelayMs < retry.initialDelayMs) {
    r.issue([...path, 'maxDelay'], 'must not be shorter than initialDelay');
  }
  return retry;
}

function readTarget(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  name: string,
  known: KnownNames,
): NotificationTarget | undefined {
  if (!isMapping(value)) return r.issue(path, `expected a mapping, got ${typeName(value)}`);
  const type = r.required(value, 'type', path, r.oneOf(TARGET_TYPES));
  if (type === undefined) return undefined;
  const map = r.mapping(value, path, TARGET_KEYS[type]);
  if (!map) return undefined;
  const heartbeat = type === 'healthchecks' || type === 'uptime-kuma';
  const filter: NotificationFilter = {
    events: r.optional(map, 'events', path, r.nonEmptyListOf(r.oneOf(NOTIFICATION_EVENTS)), [
      ...(heartbeat ? HEARTBEAT_EVENTS : DEFAULT_EVENTS),
    ]),
    operations: r.optional(
      map,
      'operations',
      path,
      r.listOf(r.oneOf(JOB_OPERATION_NAMES)),
      heartbeat ? ['backup' as const] : [],
    ),
    backups: r.optional(map, 'backups', path, r.listOf(knownName(r, known.backups, 'backup')), []),
    repositories: r.optional(
      map,
      'repositories',
      path,
      r.listOf(knownName(r, known.repositories, 'repository')),
      [],
    ),
    minSeverity: r.optional(map, 'severity', path, r.oneOf(SEVERITIES), 'info'),
  };
  const base = {
    name,
    filter,
    timeoutMs: r.optional(map, 'timeout', path, r.duration(100), 30_000),
  };
  const url = () => r.required(map, 'url', path, (v, p) => httpUrl(r, v, p));
  const template = (key: string) =>
    r.optional(map, key, path, (v, p) => readTemplate(r, v, p), null);
  const optionalString = (key: string) => r.optional(map, key, path, r.string, null);
  switch (type) {
    case 'webhook': {
      const at = url();
      const target: NotificationTarget = {
        ...base,
        type,
        url: at ?? '',
        method: r.optional(map, 'method', path, (v, p) => readMethod(r, v, p), 'POST'),
        headers: r.optional(map, 'headers', path, (v, p) => readHeaders(r, v, p), {}),
        preset: r.optional(map, 'preset', path, r.oneOf(WEBHOOK_PRESETS), null),
        body: template('body'),
      };
      return at === undefined ? undefined : target;
    }
    case 'ntfy':
    case 'gotify': {
      const at = url();
      const token =
        type === 'gotify' ? r.required(map, 'token', path, r.string) : optionalString('token');
      if (at === undefined || token === undefined) return undefined;
      const text = { title: template('title'), message: template('message') };
      return type === 'gotify'
        ? { ...base, type, url: at, token: token ?? '', ...text }
        : { ...base, type, url: at, token, ...text };
    }
    case 'healthchecks':
    case 'uptime-kuma': {
      const at = r.required(map, 'url', path, (v, p) => templatedUrl(r, v, p));
      return at === undefined ? undefined : { ...base, type, url: at };
    }
    case 'email': {
      const host = r.required(map, 'host', path, r.string);
      const from = r.required(map, 'from', path, (v, p) => address(r, v, p));
      const to = r.required(map, 'to', path, (v, p) => addresses(r, v, p));
      const security = r.optional(map, 'security', path, r.oneOf(SECURITY), 'starttls');
      const username = optionalString('username');
      const password = optionalString('password');
      if (password !== null && username === null) {
        r.issue([...path, 'password'], 'is given without a username');
      }
      if (host === undefined || from === undefined || to === undefined) return undefined;
      return {
        ...base,
        type,
        host,
        port: r.optional(map, 'port', path, r.integer(1, 65535), DEFAULT_PORT[security]),
        security,
        username,
        password,
        from,
        to,
        subject: template('subject'),
        body: template('body'),
        allowInvalidCertificate: r.optional(map, 'allowInvalidCertificate', path, r.boolean, false),
      };
    }
    case 'command': {
      const command = r.required(map, 'command', path, (v, p) => readTemplatedCommand(r, v, p));
      if (command === undefined) return undefined;
      return {
        ...base,
        type,
        command,
        env: r.optional(map, 'env', path, (v, p) => readEnv(r, v, p), {}),
      };
    }
  }
}

function knownName(r: ConfigReader, names: ReadonlySet<string>, what: string) {
  return (value: unknown, path: ConfigPath): string | undefined => {
    const text = r.string(value, path);
    if (text === undefined) return undefined;
    return names.has(text) ? text : r.issue(path, `unknown ${what} "${text}"`);
  };
}

function httpUrl(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  return isHttpUrl(text) ? text : r.issue(path, 'expected an http or https URL');
}

/** A URL that may name the backup, e.g. `https://hc-ping.com/KEY/{{backup}}`. */
function templatedUrl(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const text = readTemplate(r, value, path);
  if (text === undefined) return undefined;
  const sample = text.replace(/\{\{[^}]*\}\}/g, 'x');
  return isHttpUrl(sample) ? text : r.issue(path, 'expected an http or https URL');
}

/** A Handlebars template, compiled once here so that a syntax error stops the daemon at start. */
function readTemplate(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const text = r.string(value, path);
  return text === undefined ? undefined : checkTemplate(r, text, path);
}

function checkTemplate(r: ConfigReader, text: string, path: ConfigPath): string | undefined {
  try {
    handlebars().precompile(text, { strict: false });
    return text;
  } catch (error) {
    // Handlebars quotes the template between its first and last lines; the ends suffice.
    const lines = (error instanceof Error ? error.message : String(error)).split('\n');
    const reason = lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : lines[0];
    return r.issue(path, `not a valid template: ${reason}`);
  }
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/;

function address(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  return ADDRESS.test(text.trim()) ? text.trim() : r.issue(path, 'expected an email address');
}

function addresses(r: ConfigReader, value: unknown, path: ConfigPath): string[] | undefined {
  if (typeof value === 'string') {
    const one = address(r, value, path);
    return one === undefined ? undefined : [one];
  }
  const list = r.nonEmptyListOf((v, p) => address(r, v, p))(value, path);
  return list && Array.isArray(value) && list.length === value.length ? list : undefined;
}

/** A command whose arguments may be templates, each checked now. */
function readTemplatedCommand(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): string[] | undefined {
  const args = readCommand(r, value, path);
  if (!args) return undefined;
  for (const [index, arg] of args.entries()) {
    if (checkTemplate(r, arg, [...path, index]) === undefined) return undefined;
  }
  return args;
}
