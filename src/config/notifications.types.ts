import type { JobOperationName } from './operation-names';

/** Every event a target can ask for; see README "Notifications" for when each happens. */
export const NOTIFICATION_EVENTS = [
  'job.queued',
  'job.started',
  'job.succeeded',
  'job.warnings',
  'job.failed',
  'job.canceled',
  'job.timed-out',
  'job.interrupted',
  'backup.overdue',
  'backup.on-time',
  'repository.unreachable',
  'repository.reachable',
  'check.damage',
  'daemon.started',
  'daemon.stopping',
  'config.reloaded',
  'config.refused',
] as const;
export type NotificationEventName = (typeof NOTIFICATION_EVENTS)[number];

export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const WEBHOOK_PRESETS = ['slack', 'discord', 'mattermost', 'teams'] as const;
export type WebhookPreset = (typeof WEBHOOK_PRESETS)[number];

/** Which events reach a target; an empty list means no restriction on that field. */
export interface NotificationFilter {
  events: NotificationEventName[];
  operations: JobOperationName[];
  backups: string[];
  repositories: string[];
  /** the least severity delivered */
  minSeverity: Severity;
}

interface TargetBase {
  name: string;
  filter: NotificationFilter;
  /** how long one delivery attempt may take */
  timeoutMs: number;
}

export interface WebhookTarget extends TargetBase {
  type: 'webhook';
  url: string;
  method: string;
  headers: Record<string, string>;
  preset: WebhookPreset | null;
  /** a Handlebars template; without it the preset's body, or the event as JSON */
  body: string | null;
}

export interface NtfyTarget extends TargetBase {
  type: 'ntfy';
  /** the topic's URL, e.g. https://ntfy.sh/my-backups */
  url: string;
  token: string | null;
  title: string | null;
  message: string | null;
}

export interface GotifyTarget extends TargetBase {
  type: 'gotify';
  /** the server's base URL */
  url: string;
  token: string;
  title: string | null;
  message: string | null;
}

/** healthchecks.io style: `url/start`, `url` (success) and `url/fail`, per backup. */
export interface HealthchecksTarget extends TargetBase {
  type: 'healthchecks';
  url: string;
}

/** Uptime Kuma push monitors: `url?status=up|down&msg=...`. */
export interface UptimeKumaTarget extends TargetBase {
  type: 'uptime-kuma';
  url: string;
}

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export interface EmailTarget extends TargetBase {
  type: 'email';
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  password: string | null;
  from: string;
  to: string[];
  subject: string | null;
  body: string | null;
  /** accept a server certificate that does not verify (self-signed test servers) */
  allowInvalidCertificate: boolean;
}

export interface CommandTarget extends TargetBase {
  type: 'command';
  /** argument vector, each item a template; run without a shell, the event as JSON on stdin */
  command: string[];
  env: Record<string, string>;
}

export type NotificationTarget =
  | WebhookTarget
  | NtfyTarget
  | GotifyTarget
  | HealthchecksTarget
  | UptimeKumaTarget
  | EmailTarget
  | CommandTarget;

export type NotificationTargetType = NotificationTarget['type'];

/** The delay before retry n is min(maxDelay, initialDelay * factor^(n-1)). */
export interface NotificationRetry {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** after this many failed attempts a notification stays failed */
  maxAttempts: number;
}

export interface NotificationsConfig {
  retry: NotificationRetry;
  targets: Record<string, NotificationTarget>;
}
