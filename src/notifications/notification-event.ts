import type { NotificationEventName, Severity } from '../config/notifications.types';
import type { Job, JobState } from '../jobs/job.types';

/**
 * One thing that happened, with every field a template may use. Flat on purpose: templates read
 * `{{backup}}` and `{{errorMessage}}`, not paths into nested objects. Absent facts are null.
 */
export interface NotificationEvent {
  event: NotificationEventName;
  severity: Severity;
  /** one line a person reads first: what happened, to what */
  summary: string;
  /** ISO time */
  time: string;
  host: string;
  jobId: number | null;
  operation: string | null;
  trigger: string | null;
  backup: string | null;
  repository: string | null;
  state: JobState | null;
  errorCode: string | null;
  errorMessage: string | null;
  durationSeconds: number | null;
  /** bytes restic added to the repositories (backups) */
  bytesAdded: number | null;
  filesProcessed: number | null;
  snapshotId: string | null;
  snapshotIds: string[];
  warnings: string[];
  /** backup.overdue / backup.on-time: end of the last successful backup, ISO time */
  lastSuccessAt: string | null;
  /** free text for daemon and configuration events */
  detail: string | null;
  /** true for the sample event of testNotification */
  test: boolean;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

const JOB_EVENT_SEVERITY: Partial<Record<NotificationEventName, Severity>> = {
  'job.queued': 'info',
  'job.started': 'info',
  'job.succeeded': 'info',
  'job.warnings': 'warning',
  'job.failed': 'error',
  'job.timed-out': 'error',
  'job.canceled': 'warning',
  'job.interrupted': 'warning',
};

export function severityOf(event: NotificationEventName): Severity {
  const job = JOB_EVENT_SEVERITY[event];
  if (job) return job;
  switch (event) {
    case 'backup.overdue':
    case 'daemon.stopping':
      return 'warning';
    case 'repository.unreachable':
    case 'check.damage':
    case 'config.refused':
      return 'error';
    default:
      return 'info';
  }
}

/** Which job event a recorded state stands for; null for states that are not news. */
export function jobEventName(job: Job): NotificationEventName | null {
  switch (job.state) {
    case 'queued':
      return 'job.queued';
    case 'running':
      return 'job.started';
    case 'succeeded':
      return job.warnings.length > 0 ? 'job.warnings' : 'job.succeeded';
    case 'failed':
      return job.error?.code === 'TIMED_OUT' ? 'job.timed-out' : 'job.failed';
    case 'canceled':
      return 'job.canceled';
    case 'interrupted':
      return 'job.interrupted';
  }
}

export function blankEvent(
  event: NotificationEventName,
  host: string,
  time: string,
  summary: string,
): NotificationEvent {
  return {
    event,
    severity: severityOf(event),
    summary,
    time,
    host,
    jobId: null,
    operation: null,
    trigger: null,
    backup: null,
    repository: null,
    state: null,
    errorCode: null,
    errorMessage: null,
    durationSeconds: null,
    bytesAdded: null,
    filesProcessed: null,
    snapshotId: null,
    snapshotIds: [],
    warnings: [],
    lastSuccessAt: null,
    detail: null,
    test: false,
  };
}

const VERBS: Record<string, string> = {
  'job.queued': 'queued',
  'job.started': 'started',
  'job.succeeded': 'succeeded',
  'job.warnings': 'succeeded with warnings',
  'job.failed': 'failed',
  'job.timed-out': 'timed out',
  'job.canceled': 'was canceled',
  'job.interrupted': 'was interrupted',
};

/** The event a job's new state stands for, with the job's facts. */
export function jobEvent(
  name: NotificationEventName,
  job: Job,
  host: string,
  time: string,
): NotificationEvent {
  const what = [job.operation, job.backup ?? job.repository].filter(Boolean).join(' ');
  const reason = job.error ? `: ${job.error.message}` : '';
  const event = blankEvent(name, host, time, `${what} (job ${job.id}) ${VERBS[name]}${reason}`);
  const sum = (key: string): number | null => {
    let total: number | null = null;
    for (const step of job.steps) {
      const value = step.summary?.[key];
      if (typeof value === 'number' && Number.isFinite(value)) total = (total ?? 0) + value;
    }
    return total;
  };
  const started = job.startedAt ? Date.parse(job.startedAt) : NaN;
  const ended = job.endedAt ? Date.parse(job.endedAt) : NaN;
  return {
    ...event,
    jobId: job.id,
    operation: job.operation,
    trigger: job.trigger,
    backup: job.backup,
    repository: job.repository,
    state: job.state,
    errorCode: job.error?.code ?? null,
    errorMessage: job.error?.message ?? null,
    durationSeconds:
      Number.isFinite(started) && Number.isFinite(ended)
        ? Math.max(0, (ended - started) / 1000)
        : null,
    bytesAdded: sum('dataAdded'),
    filesProcessed: sum('totalFilesProcessed'),
    snapshotId: job.snapshotIds[0] ?? null,
    snapshotIds: [...job.snapshotIds],
    warnings: [...job.warnings],
  };
}
