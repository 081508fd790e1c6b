import type { Job, JobStep } from '../jobs/job.types';

/**
 * What the daemon knows about each backup from its own records (the job history in SQLite, then
 * the job-finished events): never from running restic. Pure, so that rebuilding after a restart
 * and following live events are the same fold: feed finished jobs in the order they ended.
 */

/** One backup definition, from its backup jobs as a whole. */
export interface BackupRecord {
  backup: string;
  /** epoch ms of the end of the last backup job that succeeded */
  lastSuccessAt: number | null;
  /** epoch ms of the end of the last backup job that failed */
  lastFailureAt: number | null;
  /** seconds the last backup job that succeeded or failed took (queue time not included) */
  lastDurationSeconds: number | null;
  /** epoch ms of the first job of this backup the records hold (for `overdue`) */
  firstSeenAt: number | null;
  /** backup jobs that failed since the last one that succeeded (all of them if none did) */
  consecutiveFailures: number;
}

/** One backup definition in one repository, from the restic steps of its jobs. */
export interface RepositoryRecord {
  backup: string;
  repository: string;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  /** restic's total_duration of the last successful step, else the last step's wall time */
  lastDurationSeconds: number | null;
  /** of the last successful step: restic's data_added */
  lastAddedBytes: number | null;
  /** of the last successful step: restic's total_bytes_processed */
  lastProcessedBytes: number | null;
  /** of the last successful step: restic's total_files_processed */
  lastProcessedFiles: number | null;
  /**
   * Snapshots of this backup the daemon knows to be in the repository: the count the last
   * successful prune kept (restic forget reports it, for this backup's tag and host), plus one per
   * successful backup step since. Without any prune in the records, the snapshots made by the
   * backups recorded. Snapshots made outside the daemon, or older than the kept history
   * (jobs.history.keepDays) are not seen until the next prune counts them.
   */
  snapshots: number;
}

/** Upkeep of one repository: a backup's prune there, or the repository's check. */
export interface MaintenanceRecord {
  operation: 'prune' | 'check';
  /** the backup a prune is for; empty for checks */
  backup: string;
  repository: string;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

/**
 * Whether the last restic run into a repository (a backup, prune or check step) reached it.
 * Only a failure saying the store cannot be reached or holds no repository counts as unreachable:
 * a wrong password or a lock means restic did talk to the store.
 */
export interface ReachabilityRecord {
  repository: string;
  reachable: boolean;
  /** epoch ms of the end of that run */
  at: number | null;
}

/** Error codes of restic steps that mean the repository could not be reached at all. */
export const UNREACHABLE_CODES: readonly string[] = ['BACKEND_UNREACHABLE', 'REPOSITORY_NOT_FOUND'];

/** The four kinds of record, as stored (jobs/job-record-store.ts). */
export type RecordKind = 'backup' | 'repository' | 'maintenance' | 'reachability';

export interface RecordsByKind {
  backup: BackupRecord;
  repository: RepositoryRecord;
  maintenance: MaintenanceRecord;
  reachability: ReachabilityRecord;
}

/** Reads one stored record, for a fold that starts from the stored state rather than from empty. */
export type RecordLoader = <K extends RecordKind>(kind: K, key: string) => RecordsByKind[K] | null;

export class BackupRecords {
  private readonly backups = new Map<string, BackupRecord>();
  private readonly repositories = new Map<string, RepositoryRecord>();
  private readonly maintenance = new Map<string, MaintenanceRecord>();
  private readonly reachability = new Map<string, ReachabilityRecord>();
  private readonly changed = new Map<string, { kind: RecordKind; key: string }>();

  /** `load` fills a record the first time a job touches it (by default, records start empty). */
  constructor(private readonly load: RecordLoader = () => null) {}

  /** Records as they were stored, e.g. read back at start. */
  static of(records: { [K in RecordKind]: RecordsByKind[K][] }): BackupRecords {
    const result = new BackupRecords();
    for (const r of records.backup) result.backups.set(r.backup, r);
    for (const r of records.repository) {
      result.repositories.set(recordKey('repository', r), r);
    }
    for (const r of records.maintenance) result.maintenance.set(recordKey('maintenance', r), r);
    for (const r of records.reachability) result.reachability.set(r.repository, r);
    return result;
  }

  /** Every record the jobs applied so far created or changed, with its key. */
  touched(): { kind: RecordKind; key: string; record: RecordsByKind[RecordKind] }[] {
    return [...this.changed.values()].map(({ kind, key }) => ({
      kind,
      key,
      record: this.mapOf(kind).get(key)!,
    }));
  }

  /** All records of every kind. */
  all(): { [K in RecordKind]: RecordsByKind[K][] } {
    return {
      backup: this.backupRecords(),
      repository: this.repositoryRecords(),
      maintenance: this.maintenanceRecords(),
      reachability: this.reachabilityRecords(),
    };
  }

  private mapOf(kind: RecordKind): Map<string, RecordsByKind[RecordKind]> {
    return {
      backup: this.backups,
      repository: this.repositories,
      maintenance: this.maintenance,
      reachability: this.reachability,
    }[kind];
  }

  /** The record of this kind and key: known, stored (through load), or new from `empty`. */
  private record<K extends RecordKind>(kind: K, key: string, empty: () => RecordsByKind[K]) {
    const map = this.mapOf(kind) as Map<string, RecordsByKind[K]>;
    let record = map.get(key);
    if (!record) {
      record = this.load(kind, key) ?? empty();
      map.set(key, record);
    }
    this.changed.set(`${kind} ${key}`, { kind, key });
    return record;
  }

  /** Takes one finished job into account; jobs must come in the order they ended. */
  apply(job: Job): void {
    this.applyReachability(job);
    if (job.operation === 'prune' || job.operation === 'check') {
      this.applyMaintenance(job, job.operation);
    }
    if (job.backup === null) return;
    if (job.operation === 'backup') this.applyBackup(job, job.backup);
    else if (job.operation === 'prune') this.applyPrune(job, job.backup);
  }

  maintenanceRecords(): MaintenanceRecord[] {
    return [...this.maintenance.values()];
  }

  reachabilityRecords(): ReachabilityRecord[] {
    return [...this.reachability.values()];
  }

  private applyReachability(job: Job): void {
    for (const step of resticSteps(job)) {
      if (step.state !== 'succeeded' && step.state !== 'failed') continue;
      const reachable =
        step.state === 'succeeded' || !UNREACHABLE_CODES.includes(step.error?.code ?? '');
      const at = ms(step.endedAt) ?? ms(job.endedAt);
      const record = this.record('reachability', step.repository, () => ({
        repository: step.repository,
        reachable,
        at,
      }));
      Object.assign(record, { reachable, at });
    }
  }

  private applyMaintenance(job: Job, operation: 'prune' | 'check'): void {
    const backup = operation === 'prune' ? (job.backup ?? '') : '';
    for (const step of resticSteps(job)) {
      if (step.state !== 'succeeded' && step.state !== 'failed') continue;
      const key = recordKey('maintenance', { operation, backup, repository: step.repository });
      const record = this.record('maintenance', key, () => ({
        operation,
        backup,
        repository: step.repository,
        lastSuccessAt: null,
        lastFailureAt: null,
      }));
      const at = ms(step.endedAt) ?? ms(job.endedAt);
      if (step.state === 'succeeded') record.lastSuccessAt = at;
      else record.lastFailureAt = at;
    }
  }

  backup(name: string): BackupRecord | undefined {
    return this.backups.get(name);
  }

  backupRecords(): BackupRecord[] {
    return [...this.backups.values()];
  }

  repositoryRecords(): RepositoryRecord[] {
    return [...this.repositories.values()];
  }

  private applyBackup(job: Job, backup: string): void {
    const record = this.backupRecord(backup);
    const firstSeen = ms(job.queuedAt);
    if (firstSeen !== null && (record.firstSeenAt === null || firstSeen < record.firstSeenAt)) {
      record.firstSeenAt = firstSeen;
    }
    const endedAt = ms(job.endedAt);
    if (endedAt !== null && (job.state === 'succeeded' || job.state === 'failed')) {
      if (job.state === 'succeeded') {
        record.lastSuccessAt = endedAt;
        record.consecutiveFailures = 0;
      } else {
        record.lastFailureAt = endedAt;
        record.consecutiveFailures += 1;
      }
      record.lastDurationSeconds = secondsBetween(job.startedAt, job.endedAt);
    }
    for (const step of resticSteps(job)) {
      const repository = this.repositoryRecord(backup, step.repository);
      const stepEnd = ms(step.endedAt) ?? endedAt;
      if (step.state === 'succeeded') {
        const summary = step.summary ?? {};
        repository.lastSuccessAt = stepEnd;
        repository.lastDurationSeconds =
          finite(summary.durationSeconds) ?? secondsBetween(step.startedAt, step.endedAt);
        repository.lastAddedBytes = finite(summary.dataAdded);
        repository.lastProcessedBytes = finite(summary.totalBytesProcessed);
        repository.lastProcessedFiles = finite(summary.totalFilesProcessed);
        if (step.snapshotId) repository.snapshots += 1;
      } else if (step.state === 'failed') {
        repository.lastFailureAt = stepEnd;
        repository.lastDurationSeconds = secondsBetween(step.startedAt, step.endedAt);
      }
    }
  }

  private applyPrune(job: Job, backup: string): void {
    for (const step of resticSteps(job)) {
      const kept = finite(step.summary?.kept);
      if (step.state === 'succeeded' && kept !== null) {
        this.repositoryRecord(backup, step.repository).snapshots = kept;
      }
    }
  }

  private backupRecord(backup: string): BackupRecord {
    return this.record('backup', backup, () => ({
      backup,
      lastSuccessAt: null,
      lastFailureAt: null,
      lastDurationSeconds: null,
      firstSeenAt: null,
      consecutiveFailures: 0,
    }));
  }

  private repositoryRecord(backup: string, repository: string): RepositoryRecord {
    return this.record('repository', recordKey('repository', { backup, repository }), () => ({
      backup,
      repository,
      lastSuccessAt: null,
      lastFailureAt: null,
      lastDurationSeconds: null,
      lastAddedBytes: null,
      lastProcessedBytes: null,
      lastProcessedFiles: null,
      snapshots: 0,
    }));
  }
}

/** The key a record is kept under, in memory and in the state database. */
export function recordKey(
  kind: RecordKind,
  record: { operation?: string; backup?: string; repository?: string },
): string {
  switch (kind) {
    case 'backup':
      return record.backup ?? '';
    case 'repository':
      return JSON.stringify([record.backup, record.repository]);
    case 'maintenance':
      return JSON.stringify([record.operation, record.backup, record.repository]);
    default:
      return record.repository ?? '';
  }
}

function resticSteps(job: Job): (JobStep & { repository: string })[] {
  return job.steps.filter(
    (s): s is JobStep & { repository: string } => s.kind === 'restic' && s.repository !== null,
  );
}

/** Hook failures of a finished job: failed hook steps, and ignored ones (they leave a warning). */
export function hookFailures(job: Job): { stage: 'before' | 'after'; ignored: boolean }[] {
  const failures: { stage: 'before' | 'after'; ignored: boolean }[] = [];
  for (const step of job.steps) {
    const stage = hookStage(step.name);
    if (step.kind === 'hook' && step.state === 'failed' && stage) {
      failures.push({ stage, ignored: false });
    }
  }
  // HookRunner: an ignored failure ends its step succeeded and adds the warning `<label>: <reason>`
  // where the label is the step's name, e.g. `before[0] http POST http://host/dump`.
  const hookNames = new Set(job.steps.filter((s) => s.kind === 'hook').map((s) => s.name));
  for (const warning of job.warnings) {
    for (const name of hookNames) {
      const stage = hookStage(name);
      if (stage && warning.startsWith(`${name}: `)) {
        failures.push({ stage, ignored: true });
        break;
      }
    }
  }
  return failures;
}

function hookStage(name: string): 'before' | 'after' | null {
  const match = /^(before|after)\[\d+\]/.exec(name);
  return match ? (match[1] as 'before' | 'after') : null;
}

/** Wall time between two ISO times, in seconds; null when either is missing. */
export function secondsBetween(start: string | null, end: string | null): number | null {
  const a = ms(start);
  const b = ms(end);
  return a === null || b === null ? null : Math.max(0, (b - a) / 1000);
}

function ms(iso: string | null): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isFinite(value) ? value : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
