import type { Job } from './job.types';

/** The structured fields of a job's end line on stdout, for log pipelines (one line per job). */
export interface JobEndFields {
  operation: Job['operation'];
  backup: string | null;
  /** the job's repository, or the only repository its steps touched */
  repository: string | null;
  /** every repository its restic steps touched, in order */
  repositories: string[];
  trigger: Job['trigger'];
  state: Job['state'];
  errorCode: string | null;
  /** from start to end; 0 for a job that never started */
  durationSeconds: number;
  /** restic data_added, summed over the job's steps */
  bytesAdded: number;
  /** restic total_files_processed, summed over the job's steps */
  filesProcessed: number;
  snapshots: number;
  warnings: number;
}

export function jobEndFields(job: Job): JobEndFields {
  const repositories = [
    ...new Set(
      job.steps.flatMap((s) => (s.kind === 'restic' && s.repository ? [s.repository] : [])),
    ),
  ];
  const sum = (key: string) =>
    job.steps.reduce((total, step) => {
      const value = step.summary?.[key];
      return total + (typeof value === 'number' && Number.isFinite(value) ? value : 0);
    }, 0);
  const started = job.startedAt ? Date.parse(job.startedAt) : NaN;
  const ended = job.endedAt ? Date.parse(job.endedAt) : NaN;
  const duration =
    Number.isFinite(started) && Number.isFinite(ended) ? (ended - started) / 1000 : 0;
  return {
    operation: job.operation,
    backup: job.backup,
    repository: job.repository ?? (repositories.length === 1 ? repositories[0] : null),
    repositories,
    trigger: job.trigger,
    state: job.state,
    errorCode: job.error?.code ?? null,
    durationSeconds: Math.max(0, Math.round(duration * 1000) / 1000),
    bytesAdded: sum('dataAdded'),
    filesProcessed: sum('totalFilesProcessed'),
    snapshots: job.snapshotIds.length,
    warnings: job.warnings.length,
  };
}
