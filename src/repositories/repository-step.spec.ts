import { JobContext, type JobReporter } from '../jobs/job-context';
import type { JobLogService } from '../jobs/job-log.service';
import { fakeJob } from '../../test/support/fake-job-context';
import { inRepositoryStep } from './repository-step';

/** A job context whose announcements are handed over when the test says so. */
function contextWithHandOver() {
  let handOver!: () => void;
  const reporter: JobReporter = {
    changed: () => undefined,
    progress: () => undefined,
    announced: () => new Promise<void>((resolve) => (handOver = resolve)),
    now: () => new Date().toISOString(),
  };
  const logs = { write: () => undefined } as unknown as JobLogService;
  const controller = new AbortController();
  const context = new JobContext(fakeJob(), controller.signal, reporter, logs);
  return { context, controller, handOver: () => handOver() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A repository step whose work says whether it ran, and answers 'result'. */
function startStep(context: JobContext) {
  let worked = false;
  const done = inRepositoryStep(context, 'r', () => {
    worked = true;
    return Promise.resolve('result');
  });
  return { done, worked: () => worked };
}

describe('inRepositoryStep', () => {
  it('starts the work once the step has been handed to the subscribers', async () => {
    const { context, handOver } = contextWithHandOver();
    const { done, worked } = startStep(context);
    await turn();
    expect(context.job.steps.map((s) => [s.name, s.state])).toEqual([['repository r', 'running']]);
    expect(worked()).toBe(false);
    handOver();
    await expect(done).resolves.toBe('result');
    expect(worked()).toBe(true);
    expect(context.job.steps[0].state).toBe('succeeded');
  });

  it('does not start work canceled while its start was handed over, nor fail the step', async () => {
    const { context, controller, handOver } = contextWithHandOver();
    const { done, worked } = startStep(context);
    await turn();
    controller.abort(new Error('canceled'));
    handOver();
    await expect(done).rejects.toThrow('canceled');
    expect(worked()).toBe(false);
    // a canceled job's open steps are ended by the runner, as canceled
    expect(context.job.steps[0].state).toBe('running');
  });

  it('ends at once when the job is stopped while its start is being handed over', async () => {
    const { context, controller } = contextWithHandOver(); // never handed over here
    const { done, worked } = startStep(context);
    await turn();
    controller.abort(new Error('stopping'));
    await expect(done).rejects.toThrow('stopping');
    expect(worked()).toBe(false);
  });
});
