import { finalProgress, jobPercent, withJobFields } from './job-progress';
import type { Job, JobStep, StepProgress } from './job.types';

const step = (name: string, state: JobStep['state']): JobStep => ({
  name,
  kind: 'restic',
  repository: null,
  state,
  startedAt: null,
  endedAt: null,
  error: null,
  snapshotId: null,
  summary: null,
});
const stepProgress = (step: string, percent: number): StepProgress => ({
  percent,
  filesDone: 7,
  totalFiles: 10,
  bytesDone: 700,
  totalBytes: 1000,
  secondsElapsed: 3,
  secondsRemaining: 2,
  currentFiles: ['/data/a'],
  step,
});
const jobWith = (steps: JobStep[], progress: Job['progress'] = null) =>
  ({ steps, progress }) as Job;

describe('jobPercent', () => {
  it('counts every planned step the same, the running one by its own percent', () => {
    const job = jobWith([step('hook', 'succeeded'), step('repository a', 'running')]);
    expect(jobPercent(job, 4, stepProgress('repository a', 50))).toBe(37.5);
  });

  it('never goes below what was reported, when a new step starts at 0', () => {
    const job = jobWith(
      [step('repository a', 'succeeded'), step('repository b', 'running')],
      withJobFields({ ...stepProgress('repository a', 100), jobPercent: 60 }),
    );
    expect(jobPercent(job, 3, stepProgress('repository b', 0))).toBe(60);
  });

  it('widens the plan for steps it did not foresee, and never passes 100', () => {
    const job = jobWith([step('a', 'succeeded'), step('b', 'failed'), step('c', 'running')]);
    expect(jobPercent(job, 2, stepProgress('c', 100))).toBe(100);
    expect(jobPercent(job, 2, null)).toBeCloseTo(66.67, 2);
  });
});

describe('finalProgress', () => {
  const last = withJobFields({ ...stepProgress('repository a', 70), jobPercent: 35 });

  it('makes a success 100%, with nothing current nor remaining', () => {
    expect(finalProgress(jobWith([], last), 'succeeded')).toEqual({
      ...last,
      percent: 100,
      jobPercent: 100,
      filesDone: 10,
      bytesDone: 1000,
      secondsRemaining: 0,
      currentFiles: [],
      complete: true,
    });
  });

  it('keeps the last real values of a job that did not succeed, marked as not complete', () => {
    for (const state of ['failed', 'canceled', 'interrupted'] as const) {
      expect(finalProgress(jobWith([], last), state)).toEqual({
        ...last,
        secondsRemaining: null,
        currentFiles: [],
        complete: false,
      });
    }
  });

  it('leaves a job that never reported progress without one', () => {
    expect(finalProgress(jobWith([]), 'succeeded')).toBeNull();
  });
});
