import { describeFailure } from './job-failure';
import type { JobError, JobState, JobStep } from './job.types';

/** Why the runner stopped a job before its handler ended, if it did. */
export type StopReason = 'canceled' | 'timeout' | 'shutdown';

export interface JobOutcome {
  state: Exclude<JobState, 'queued' | 'running'>;
  error: JobError | null;
}

/**
 * How a job ended, in this order: a stop by the runner names it (canceled, timed out,
 * interrupted by shutdown), whatever the handler threw then; otherwise what the handler threw
 * fails it; otherwise a failed step fails it with that step's error; otherwise it succeeded.
 * `scrub` masks secrets in a thrown error's message.
 */
export function jobOutcome(ended: {
  stopReason: StopReason | null;
  failure: unknown;
  steps: readonly JobStep[];
  maxMs: number;
  scrub: (text: string) => string;
}): JobOutcome {
  switch (ended.stopReason) {
    case 'canceled':
      return { state: 'canceled', error: { code: 'CANCELED', message: 'canceled while running' } };
    case 'timeout':
      return {
        state: 'failed',
        error: {
          code: 'TIMED_OUT',
          message: `stopped after running longer than ${Math.round(ended.maxMs / 1000)} s (maxDuration)`,
        },
      };
    case 'shutdown':
      return {
        state: 'interrupted',
        error: { code: 'INTERRUPTED', message: 'the daemon stopped while the job ran' },
      };
  }
  if (ended.failure) {
    const described = describeFailure(ended.failure);
    return {
      state: 'failed',
      error: { code: described.code, message: ended.scrub(described.message) },
    };
  }
  const failedStep = ended.steps.find((s) => s.state === 'failed');
  if (failedStep) return { state: 'failed', error: failedStep.error };
  return { state: 'succeeded', error: null };
}

/**
 * Steps still running or pending when the job ended: interrupted with the job, otherwise
 * canceled (the job ended without them).
 */
export function endOpenSteps(steps: JobStep[], state: JobOutcome['state'], at: string): void {
  const stepEnd = state === 'interrupted' ? 'interrupted' : 'canceled';
  for (const step of steps) {
    if (step.state === 'running' || step.state === 'pending') {
      step.state = stepEnd;
      step.endedAt = at;
    }
  }
}
