import { JobFailure } from './job-failure';
import { endOpenSteps, jobOutcome, type StopReason } from './job-outcome';
import type { JobError, JobStep } from './job.types';

const step = (state: JobStep['state'], error: JobError | null = null) =>
  ({ name: 'restic backup', state, error, endedAt: null }) as JobStep;
const scrub = (text: string) => text.replaceAll('hunter2', '***');
const outcome = (fields: { stopReason?: StopReason; failure?: unknown; steps?: JobStep[] }) =>
  jobOutcome({ stopReason: null, failure: null, steps: [], maxMs: 90_000, scrub, ...fields });

describe('jobOutcome', () => {
  it('succeeds when nothing stopped, threw or failed', () => {
    expect(outcome({ steps: [step('succeeded'), step('warned')] })).toEqual({
      state: 'succeeded',
      error: null,
    });
  });

  it('names a stop by the runner first, whatever the handler threw then', () => {
    const failure = new Error('aborted');
    expect(outcome({ stopReason: 'canceled', failure })).toEqual({
      state: 'canceled',
      error: { code: 'CANCELED', message: 'canceled while running' },
    });
    expect(outcome({ stopReason: 'timeout', failure })).toEqual({
      state: 'failed',
      error: {
        code: 'TIMED_OUT',
        message: 'stopped after running longer than 90 s (maxDuration)',
      },
    });
    expect(outcome({ stopReason: 'shutdown', failure })).toEqual({
      state: 'interrupted',
      error: { code: 'INTERRUPTED', message: 'the daemon stopped while the job ran' },
    });
  });

  it('fails with what the handler threw, its code kept and secrets masked', () => {
    expect(outcome({ failure: new JobFailure('REPOSITORY_LOCKED', 'locked by hunter2') })).toEqual({
      state: 'failed',
      error: { code: 'REPOSITORY_LOCKED', message: 'locked by ***' },
    });
    expect(outcome({ failure: 'odd' })).toEqual({
      state: 'failed',
      error: { code: 'INTERNAL', message: 'odd' },
    });
  });

  it("fails with a failed step's error when the handler itself ended normally", () => {
    const error = { code: 'HOOK_FAILED', message: 'hook exited 1' };
    expect(outcome({ steps: [step('succeeded'), step('failed', error)] })).toEqual({
      state: 'failed',
      error,
    });
  });
});

describe('endOpenSteps', () => {
  it('cancels steps left open, or interrupts them with an interrupted job', () => {
    const steps = [step('succeeded'), step('running'), step('pending')];
    endOpenSteps(steps, 'failed', '2026-01-01T00:00:00.000Z');
    expect(steps.map((s) => [s.state, s.endedAt])).toEqual([
      ['succeeded', null],
      ['canceled', '2026-01-01T00:00:00.000Z'],
      ['canceled', '2026-01-01T00:00:00.000Z'],
    ]);
    const open = [step('running')];
    endOpenSteps(open, 'interrupted', '2026-01-01T00:00:01.000Z');
    expect(open[0].state).toBe('interrupted');
  });
});
