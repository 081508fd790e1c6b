import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Clock } from '../common/clock';
import { RuntimeInfo } from '../common/runtime-info';
import { LiveConfig } from '../config/live-config';
import { PRIORITY, formatPriority } from '../config/priority';
import { JobEvents } from '../jobs/job-events';
import { JobRunner } from '../jobs/job-runner.service';
import { JobStore } from '../jobs/job-store';
import { JOB_OPERATIONS, type Job } from '../jobs/job.types';
import { scheduledDefinitions } from '../triggers/schedule-definitions';
import { SCHEDULE_TIME_ZONE, ScheduleTrigger } from '../triggers/schedule-trigger.service';
import { WatchTrigger } from '../triggers/watch-trigger.service';
import { type BackupRecords, hookFailures, secondsBetween } from '../jobs/backup-records';
import { isOverdue, overdueMinGraceMs, shortestIntervalMs } from '../config/overdue';

export const METRICS_PREFIX = 'hen_backup_';

/** Job durations: from seconds (init, unlock) to a day (a first backup of a large tree). */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/** Queue waits: from an instant to a day (an on-idle job behind a week of backups waits long). */
const WAIT_BUCKETS = [1, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/**
 * prom-client's defaults that `promtool check metrics` rejects (gauges named `_total`); the same
 * numbers, by type, stay in `nodejs_active_handles`, `nodejs_active_requests` and
 * `nodejs_active_resources`.
 */
const DROPPED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The Prometheus metrics of the daemon, in a registry of its own. Everything comes from the
 * daemon's own records (the job history, then job-finished events, the queue, the triggers):
 * a scrape never runs restic.
 *
 * Gauges about backups come from the records the job store keeps up to date as each job ends (in
 * the same transaction), so they survive restarts without reading the history back. Counters (jobs run and failed, hook failures) and the duration histogram count from
 * the start of the process, as Prometheus counters do; `rate()` and `increase()` handle restarts.
 *
 * Every series carries a `hostname` label (the configuration's `hostname`, restic's `--host`), so
 * that many daemons scraped into one Prometheus stay apart by the name their snapshots carry, even
 * through federation or remote write; Prometheus's `instance` tells two daemons of one host apart.
 * A label that would be empty is left out rather than set to "".
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly stopListening: () => void;

  private readonly jobsRun: Counter<'operation'>;
  private readonly jobsFailed: Counter<'operation'>;
  private readonly jobDuration: Histogram<'operation'>;
  private readonly hookFailuresTotal: Counter<'backup' | 'stage' | 'ignored'>;
  private readonly queueWait: Histogram<'operation'>;
  private readonly addedBytes: Counter<'backup' | 'repository'>;

  constructor(
    private readonly config: LiveConfig,
    private readonly store: JobStore,
    private readonly runner: JobRunner,
    private readonly schedules: ScheduleTrigger,
    private readonly watchers: WatchTrigger,
    private readonly runtime: RuntimeInfo,
    private readonly clock: Clock,
    events: JobEvents,
    @Optional() @Inject(SCHEDULE_TIME_ZONE) private readonly timeZone?: string,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    for (const name of DROPPED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    this.registry.setDefaultLabels({ hostname: config.current.hostname });

    this.jobsRun = new Counter({
      name: `${METRICS_PREFIX}jobs_run_total`,
      help: 'Jobs that started and then ended (any outcome), by operation, since the daemon started',
      labelNames: ['operation'],
      registers,
    });
    this.jobsFailed = new Counter({
      name: `${METRICS_PREFIX}jobs_failed_total`,
      help: 'Jobs that ended failed (including timed out), by operation, since the daemon started',
      labelNames: ['operation'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: `${METRICS_PREFIX}job_duration_seconds`,
      help: 'How long jobs ran (from start to end, queue time excluded), by operation',
      labelNames: ['operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    for (const operation of JOB_OPERATIONS) {
      this.jobsRun.inc({ operation }, 0);
      this.jobsFailed.inc({ operation }, 0);
    }
    this.hookFailuresTotal = new Counter({
      name: `${METRICS_PREFIX}hook_failures_total`,
      help: 'Hooks that failed, by backup and stage; ignored="true" for onFailure ignore',
      labelNames: ['backup', 'stage', 'ignored'],
      registers,
    });
    this.queueWait = new Histogram({
      name: `${METRICS_PREFIX}job_queue_wait_seconds`,
      help: 'How long jobs that started waited in the queue first, by operation',
      labelNames: ['operation'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.addedBytes = new Counter({
      name: `${METRICS_PREFIX}added_bytes_total`,
      help: 'Data successful backups added to each repository (restic data_added), since the daemon started',
      labelNames: ['backup', 'repository'],
      registers,
    });
    this.zeroAddedBytes();
    this.registerGauges();
    const stopFinished = events.onFinished((job) => this.jobFinished(job));
    const stopConfig = config.onChange(() => this.zeroAddedBytes());
    this.stopListening = () => {
      stopFinished();
      stopConfig();
    };
  }

  onModuleDestroy(): void {
    this.stopListening();
  }

  /**
   * A series for every backup and repository pair from the start, at 0, so that `increase()`
   * counts the first backup's bytes too (a series that appears at its first value counts none).
   */
  private zeroAddedBytes(): void {
    for (const backup of Object.values(this.config.current.backups)) {
      for (const repository of backup.repositories) {
        this.addedBytes.inc({ backup: backup.name, repository }, 0);
      }
    }
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    // a reload may rename the host
    this.registry.setDefaultLabels({ hostname: this.config.current.hostname });
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The per-backup records (also used by the status query). */
  backupRecords(): BackupRecords {
    return this.store.backupRecords();
  }

  /** See isOverdue for the precise rule. */
  overdue(backup: string): boolean {
    const definition = this.config.current.backups[backup];
    if (!definition) return false;
    const record = this.backupRecords().backup(backup);
    const now = this.clock.now();
    return isOverdue({
      schedules: definition.schedules,
      lastSuccessAt: record?.lastSuccessAt ?? null,
      knownSinceAt: Math.min(record?.firstSeenAt ?? Infinity, this.runtime.startedAt, now),
      nextRunAt: this.schedules.nextRunAt(`backup:${backup}`)?.getTime() ?? null,
      nowMs: now,
      timeZone: this.timeZone,
      minGraceMs: overdueMinGraceMs(),
    });
  }

  private jobFinished(job: Job): void {
    if (job.startedAt === null) return; // canceled while queued: it never ran
    this.jobsRun.inc({ operation: job.operation });
    if (job.state === 'failed') this.jobsFailed.inc({ operation: job.operation });
    const seconds = secondsBetween(job.startedAt, job.endedAt);
    if (seconds !== null) this.jobDuration.observe({ operation: job.operation }, seconds);
    const waited = secondsBetween(job.queuedAt, job.startedAt);
    if (waited !== null) this.queueWait.observe({ operation: job.operation }, waited);
    if (job.operation === 'backup' && job.backup !== null) {
      for (const step of job.steps) {
        const added = step.summary?.dataAdded;
        if (step.kind !== 'restic' || step.state !== 'succeeded' || step.repository === null)
          continue;
        const bytes = typeof added === 'number' && Number.isFinite(added) ? added : 0;
        this.addedBytes.inc({ backup: job.backup, repository: step.repository }, bytes);
      }
    }
    for (const failure of hookFailures(job)) {
      this.hookFailuresTotal.inc({
        ...(job.backup === null ? {} : { backup: job.backup }),
        stage: failure.stage,
        ignored: String(failure.ignored),
      });
    }
  }

  /** Gauges computed at scrape time from the records and the live queue and triggers. */
  private registerGauges(): void {
    const registers = [this.registry];
    const records = () => this.backupRecords();
    const live = this.config;
    const seconds = (value: number | null) => (value === null ? null : value / 1000);
    const backupGauge = (
      name: string,
      help: string,
      value: (r: NonNullable<ReturnType<BackupRecords['backup']>>) => number | null,
    ) =>
      new Gauge({
        name: `${METRICS_PREFIX}${name}`,
        help,
        labelNames: ['backup'],
        registers,
        collect() {
          this.reset();
          for (const record of records().backupRecords()) {
            if (!(record.backup in live.current.backups)) continue;
            const v = value(record);
            if (v !== null) this.set({ backup: record.backup }, v);
          }
        },
      });
    backupGauge(
      'backup_last_success_timestamp_seconds',
      'End of the last backup job that succeeded, Unix time',
      (r) => seconds(r.lastSuccessAt),
    );
    backupGauge(
      'backup_last_failure_timestamp_seconds',
      'End of the last backup job that failed, Unix time',
      (r) => seconds(r.lastFailureAt),
    );
    backupGauge(
      'backup_last_duration_seconds',
      'How long the last backup job that succeeded or failed ran',
      (r) => r.lastDurationSeconds,
    );

    type RepositoryRecord = ReturnType<BackupRecords['repositoryRecords']>[number];
    const repositoryGauge = (
      name: string,
      help: string,
      value: (r: RepositoryRecord) => number | null,
    ) =>
      new Gauge({
        name: `${METRICS_PREFIX}${name}`,
        help,
        labelNames: ['backup', 'repository'],
        registers,
        collect() {
          this.reset();
          for (const record of records().repositoryRecords()) {
            if (!live.current.backups[record.backup]?.repositories.includes(record.repository))
              continue;
            const v = value(record);
            if (v !== null) this.set({ backup: record.backup, repository: record.repository }, v);
          }
        },
      });
    repositoryGauge(
      'repository_last_success_timestamp_seconds',
      'End of the last successful backup of this backup into this repository, Unix time',
      (r) => seconds(r.lastSuccessAt),
    );
    repositoryGauge(
      'repository_last_failure_timestamp_seconds',
      'End of the last failed backup of this backup into this repository, Unix time',
      (r) => seconds(r.lastFailureAt),
    );
    repositoryGauge(
      'repository_last_duration_seconds',
      'How long the last backup into this repository took (restic total_duration when it succeeded)',
      (r) => r.lastDurationSeconds,
    );
    repositoryGauge(
      'repository_last_added_bytes',
      'Data the last successful backup added to this repository (restic data_added)',
      (r) => r.lastAddedBytes,
    );
    repositoryGauge(
      'repository_last_processed_bytes',
      'Bytes the last successful backup read (restic total_bytes_processed)',
      (r) => r.lastProcessedBytes,
    );
    repositoryGauge(
      'repository_last_processed_files',
      'Files the last successful backup read (restic total_files_processed)',
      (r) => r.lastProcessedFiles,
    );
    repositoryGauge(
      'repository_snapshots',
      "Snapshots of this backup in this repository, as the daemon's records know them (kept by the last prune plus those made since)",
      (r) => r.snapshots,
    );

    const maintenanceGauge = (name: string, help: string, key: 'lastSuccessAt' | 'lastFailureAt') =>
      new Gauge({
        name: `${METRICS_PREFIX}${name}`,
        help,
        labelNames: ['operation', 'backup', 'repository'],
        registers,
        collect() {
          this.reset();
          for (const record of records().maintenanceRecords()) {
            const known =
              record.operation === 'check'
                ? record.repository in live.current.repositories
                : live.current.backups[record.backup]?.repositories.includes(record.repository);
            const v = seconds(record[key]);
            if (!known || v === null) continue;
            const { operation, backup, repository } = record;
            // a check is of a repository only: no backup label rather than backup=""
            this.set(backup ? { operation, backup, repository } : { operation, repository }, v);
          }
        },
      });
    maintenanceGauge(
      'maintenance_last_success_timestamp_seconds',
      'End of the last successful prune (of a backup, in a repository) or check (of a repository), Unix time',
      'lastSuccessAt',
    );
    maintenanceGauge(
      'maintenance_last_failure_timestamp_seconds',
      'End of the last failed prune (of a backup, in a repository) or check (of a repository), Unix time',
      'lastFailureAt',
    );

    const overdue = (name: string) => this.overdue(name);
    new Gauge({
      name: `${METRICS_PREFIX}backup_consecutive_failures`,
      help: 'Backup jobs that failed since the last one that succeeded (0 after a success, or before any job)',
      labelNames: ['backup'],
      registers,
      collect() {
        this.reset();
        for (const name of Object.keys(live.current.backups)) {
          this.set({ backup: name }, records().backup(name)?.consecutiveFailures ?? 0);
        }
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}repository_reachable`,
      help: '1 when the last restic run into this repository (backup, prune or check) reached it, 0 when it found no store or no repository there',
      labelNames: ['repository'],
      registers,
      collect() {
        this.reset();
        for (const record of records().reachabilityRecords()) {
          if (!(record.repository in live.current.repositories)) continue;
          this.set({ repository: record.repository }, record.reachable ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}backup_overdue`,
      help: '1 when a scheduled backup is overdue (see the Status.backups.overdue field), else 0',
      labelNames: ['backup'],
      registers,
      collect() {
        this.reset();
        for (const name of Object.keys(live.current.backups)) {
          this.set({ backup: name }, overdue(name) ? 1 : 0);
        }
      },
    });

    const byPriority = (jobs: Job[]) => {
      const counts = new Map<string, number>();
      for (const name of Object.keys(PRIORITY)) counts.set(name, 0);
      for (const job of jobs) {
        const name = formatPriority(job.priority);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return counts;
    };
    const runner = this.runner;
    const clock = this.clock;
    new Gauge({
      name: `${METRICS_PREFIX}queue_oldest_wait_seconds`,
      help: 'How long the job that has waited longest in the queue has waited so far; 0 when none waits',
      registers,
      collect() {
        const now = clock.now();
        let oldest = 0;
        for (const job of runner.queuedJobs()) {
          const queuedAt = Date.parse(job.queuedAt);
          if (Number.isFinite(queuedAt)) oldest = Math.max(oldest, (now - queuedAt) / 1000);
        }
        this.set(oldest);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}queued_jobs`,
      help: 'Jobs waiting in the queue, by priority (a name, or the integer)',
      labelNames: ['priority'],
      registers,
      collect() {
        this.reset();
        for (const [priority, n] of byPriority(runner.queuedJobs())) this.set({ priority }, n);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}running_jobs`,
      help: 'Jobs running now, by priority (a name, or the integer)',
      labelNames: ['priority'],
      registers,
      collect() {
        this.reset();
        for (const [priority, n] of byPriority(runner.runningJobs())) this.set({ priority }, n);
      },
    });

    const watchers = this.watchers;
    new Gauge({
      name: `${METRICS_PREFIX}watchers_active`,
      help: 'Backups whose paths are being watched for changes',
      registers,
      collect() {
        this.set(watchers.activeCount());
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}watchers_configured`,
      help: 'Backups configured with watch',
      registers,
      collect() {
        this.set(Object.values(live.current.backups).filter((b) => b.watch).length);
      },
    });
    const schedules = this.schedules;
    // read at each scrape: a reload may change the schedules
    const definitions = () => scheduledDefinitions(live.current);
    const timeZone = this.timeZone;
    const subjectLabel = (definition: ReturnType<typeof definitions>[number]) =>
      definition.operation === 'check'
        ? { operation: definition.operation, repository: definition.subject }
        : { operation: definition.operation, backup: definition.subject };
    new Gauge({
      name: `${METRICS_PREFIX}schedule_next_run_timestamp_seconds`,
      help: 'When each scheduled definition next runs, Unix time; absent while its run is queued or running',
      labelNames: ['operation', 'backup', 'repository'],
      registers,
      collect() {
        this.reset();
        for (const definition of definitions()) {
          const next = schedules.nextRunAt(definition.key);
          if (next) this.set(subjectLabel(definition), next.getTime() / 1000);
        }
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}schedule_interval_seconds`,
      help: 'The shortest time between two runs the schedules of each scheduled definition ask for (for a cron expression, the gap between its next two runs)',
      labelNames: ['operation', 'backup', 'repository'],
      registers,
      collect() {
        this.reset();
        for (const definition of definitions()) {
          const ms = shortestIntervalMs(definition.schedules, clock.now(), timeZone);
          if (ms !== null) this.set(subjectLabel(definition), ms / 1000);
        }
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}schedules_configured`,
      help: 'Scheduled definitions (backups, prunes, repository checks)',
      registers,
      collect() {
        this.set(definitions().length);
      },
    });
    const runtime = this.runtime;
    new Gauge({
      name: `${METRICS_PREFIX}info`,
      help: 'Always 1; the labels say which hen-backup and restic run, and the hostname the daemon backs up as',
      labelNames: ['version', 'restic_version', 'hostname'],
      registers,
      collect() {
        this.reset();
        this.set(
          {
            version: runtime.version,
            restic_version: runtime.resticVersion ?? 'unknown',
            hostname: live.current.hostname,
          },
          1,
        );
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}start_time_seconds`,
      help: 'When the daemon started, Unix time',
      registers,
      collect() {
        this.set(runtime.startedAt / 1000);
      },
    });
  }
}
