import type { Priority } from '../config/priority';

export const JOB_OPERATIONS = [
  'backup',
  'init',
  'unlock',
  'prune',
  'check',
  'restore',
  'forget',
  'index',
] as const;
export type JobOperation = (typeof JOB_OPERATIONS)[number];

/**
 * `reload`: asked for by a configuration reload (an init of a repository it added); `retry`: the
 * daemon trying again to open a repository that failed (jobs.repositoryRetry); `follow-up`: work
 * another job left to do (indexing the snapshots a backup made or a forget removed)
 */
export const JOB_TRIGGERS = [
  'api',
  'schedule',
  'watch',
  'startup',
  'reload',
  'retry',
  'follow-up',
] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

export const JOB_STATES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'canceled',
  'interrupted',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const FINISHED_STATES: readonly JobState[] = [
  'succeeded',
  'failed',
  'canceled',
  'interrupted',
];

/** Whether this version of a job is its last (a finished state). */
export const hasEnded = (job: Pick<Job, 'state'>): boolean => FINISHED_STATES.includes(job.state);

export const STEP_STATES = [
  'pending',
  'running',
  'succeeded',
  'warned',
  'failed',
  'skipped',
  'canceled',
  'interrupted',
] as const;
export type StepState = (typeof STEP_STATES)[number];

export const STEP_KINDS = ['restic', 'hook'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface JobError {
  code: string;
  message: string;
}

export interface JobStep {
  name: string;
  kind: StepKind;
  repository: string | null;
  state: StepState;
  startedAt: string | null;
  endedAt: string | null;
  error: JobError | null;
  snapshotId: string | null;
  /** what restic reported at the end (files, bytes added, ...) */
  summary: Record<string, number> | null;
}

/** What a handler reports about the step it runs; the job-level fields are the context's. */
export interface StepProgress {
  /** 0..100, of the step */
  percent: number;
  filesDone: number;
  totalFiles: number;
  bytesDone: number;
  totalBytes: number;
  secondsElapsed: number;
  secondsRemaining: number | null;
  currentFiles: string[];
  /** the step this progress belongs to */
  step: string | null;
}

export interface JobProgress extends StepProgress {
  /** 0..100 across all the job's steps; never goes backwards */
  jobPercent: number;
  /** true only in the final progress of a job whose work was all done */
  complete: boolean;
}

export interface Job {
  id: number;
  operation: JobOperation;
  backup: string | null;
  repository: string | null;
  trigger: JobTrigger;
  priority: Priority;
  state: JobState;
  queuedAt: string;
  /** when this version of the job was recorded, just before it was announced */
  updatedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  steps: JobStep[];
  progress: JobProgress | null;
  warnings: string[];
  error: JobError | null;
  snapshotIds: string[];
  /** operation-specific input, e.g. a restore target */
  params: Record<string, unknown>;
}

export interface JobRequest {
  operation: JobOperation;
  backup?: string | null;
  repository?: string | null;
  trigger: JobTrigger;
  priority: Priority;
  params?: Record<string, unknown>;
}

export const JOB_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type JobLogLevel = (typeof JOB_LOG_LEVELS)[number];

export interface JobLogEntry {
  jobId: number;
  seq: number;
  time: string;
  level: JobLogLevel;
  /** trigger > job > step > restic */
  path: string;
  message: string;
}
