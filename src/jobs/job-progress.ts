import type { Job, JobProgress, JobState, StepProgress } from './job.types';

/**
 * The job's percent across its steps: each step planned counts the same, so it is
 * (steps ended + the running step's share) / steps planned. Steps the handler did not plan (a
 * hook it could not foresee) widen the plan. Never lower than what was already reported.
 */
export function jobPercent(job: Job, plannedSteps: number, running: StepProgress | null): number {
  const total = Math.max(plannedSteps, job.steps.length, 1);
  const ended = job.steps.filter((s) => s.state !== 'running' && s.state !== 'pending').length;
  const share =
    running && job.steps.some((s) => s.name === running.step && s.state === 'running')
      ? running.percent / 100
      : 0;
  const percent = Math.min(100, Math.round(((ended + share) / total) * 10000) / 100);
  return Math.max(job.progress?.jobPercent ?? 0, percent);
}

/** The progress a job keeps once ended: nothing is current any more, nothing remains to wait. */
export function finalProgress(job: Job, state: JobState): JobProgress | null {
  const last = job.progress;
  if (state === 'succeeded') {
    if (!last) return null;
    return {
      ...last,
      percent: 100,
      jobPercent: 100,
      filesDone: Math.max(last.filesDone, last.totalFiles),
      totalFiles: Math.max(last.filesDone, last.totalFiles),
      bytesDone: Math.max(last.bytesDone, last.totalBytes),
      totalBytes: Math.max(last.bytesDone, last.totalBytes),
      secondsRemaining: 0,
      currentFiles: [],
      complete: true,
    };
  }
  if (!last) return null;
  // the last real values, marked as not finished
  return { ...last, secondsRemaining: null, currentFiles: [], complete: false };
}

/** Progress stored before jobPercent and complete existed. */
export function withJobFields(progress: StepProgress & Partial<JobProgress>): JobProgress {
  return { jobPercent: progress.percent, complete: false, ...progress };
}
