/**
 * The configuration after loading: every value parsed once into its typed form. Durations are
 * milliseconds, sizes bytes (per second for limits), priorities ranks (see priority.ts), and every
 * path absolute.
 */
import type { NotificationsConfig } from './notifications.types';
import type { Priority } from './priority';

export type Schedule =
  | { kind: 'interval'; everyMs: number; source: string }
  | { kind: 'cron'; expression: string; source: string };

export type IoniceClass = 'idle' | 'best-effort' | 'realtime';

export interface Limits {
  /** bytes per second */
  upload?: number;
  /** bytes per second */
  download?: number;
  /** -20..19 */
  nice?: number;
  ionice?: { class: IoniceClass; level?: number };
}

export type ApiRole = 'viewer' | 'operator' | 'admin';

export interface ApiToken {
  name: string;
  role: ApiRole;
  /** sha256 hex of the token; plain tokens are hashed at load so only the hash stays in memory */
  sha256: string;
}

export interface CheckConfig {
  schedules: Schedule[];
  /** as restic takes it: "5%", "1/10" or a size like "500M" */
  readDataSubset?: string;
  priority: Priority;
}

export interface RepositoryConfig {
  name: string;
  /** restic location; relative local paths are made absolute against the config file's folder */
  location: string;
  password: string;
  locationParams: Record<string, string>;
  limits: Limits;
  check: CheckConfig | null;
  /** declared inside a backup definition rather than under `repositories` */
  inline: boolean;
  /**
   * A local repository only: its folder must be on a mounted filesystem other than the root's, so
   * that an unmounted disk is reported rather than written to on the root filesystem.
   */
  requireMount: boolean;
}

export interface RetentionConfig {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** restic's own duration syntax, e.g. "30d" or "1y2m" */
  keepWithin?: string;
}

export type HookFailurePolicy = 'ignore' | 'continue' | 'break';
export type HookWhen = 'success' | 'failure' | 'always';

interface HookBase {
  timeoutMs: number;
  onFailure: HookFailurePolicy;
  /** only meaningful for `after` hooks; `always` for `before` hooks */
  when: HookWhen;
}

export interface HttpHook extends HookBase {
  type: 'http';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  retries: number;
  expectedStatus: number[];
}

export interface CommandHook extends HookBase {
  type: 'command';
  command: string[];
  cwd?: string;
  env: Record<string, string>;
}

export type HookConfig = HttpHook | CommandHook;

export interface BackupConfig {
  name: string;
  paths: string[];
  excludes: string[];
  /** the user's own restic tags, added to every snapshot beside `backup=<name>` */
  tags: string[];
  /** names into HenConfig.repositories (inline definitions are registered there too) */
  repositories: string[];
  schedules: Schedule[];
  watch: { wait: { minMs: number; maxMs: number } } | null;
  priority: Priority;
  limits: Limits;
  retention: RetentionConfig | null;
  prune: { schedules: Schedule[]; priority: Priority } | null;
  hooks: { before: HookConfig[]; after: HookConfig[] };
  maxDurationMs?: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface HenConfig {
  /** absolute path of the file this was loaded from */
  source: string;
  hostname: string;
  dataDir: string;
  /**
   * Never write to a repository: no triggers, no startup init or unlock, and the mutations that
   * would write (backup, prune, check, unlock) are refused. Browsing and restores still work.
   */
  readOnly: boolean;
  api: {
    host: string;
    port: number;
    tokens: ApiToken[];
    /** introspection answers without a token even when tokens are configured */
    openIntrospection: boolean;
  };
  log: { level: LogLevel };
  jobs: {
    concurrency: number;
    maxDurationMs: number;
    /**
     * How long the queue must have held nothing but on-idle jobs (none other running or waiting)
     * before an on-idle job starts.
     */
    idleDelayMs: number;
    history: { keepDays: number; keepCount: number };
    /**
     * Pauses between tries to open a repository that failed (unreachable, missing...): from
     * `minMs`, doubling, up to `maxMs`.
     */
    repositoryRetry: { minMs: number; maxMs: number };
  };
  limits: Limits;
  restore: { allowedTargets: string[] };
  repositories: Record<string, RepositoryConfig>;
  backups: Record<string, BackupConfig>;
  notifications: NotificationsConfig;
  /** The snapshot index (snapshot-index/): absent means no size ceiling. */
  index?: { maxSizeBytes?: number };
  /**
   * Every secret value found while loading (passwords, tokens, credential-like locationParams,
   * credentials inside locations) so that logs and answers can be scrubbed of them.
   */
  secrets: string[];
}
