import type { JobContext, StepHandle } from '../jobs/job-context';
import { describeFailure } from '../jobs/job-failure';
import type { ResticLogLine } from '../restic/restic.types';

/**
 * Runs restic work on one repository as a job step: restic's lines go to the step's log, and a
 * failure marks the step failed (a cancel leaves that to the runner) before it propagates.
 */
export async function inRepositoryStep<T>(
  context: JobContext,
  repository: string,
  work: (step: StepHandle, onLog: (line: ResticLogLine) => void) => Promise<T>,
): Promise<T> {
  const step = context.step(`repository ${repository}`, 'restic', repository);
  const onLog = (line: ResticLogLine) => step.log(line.level, line.text, 'restic');
  try {
    const result = await work(step, onLog);
    if (step.step.state === 'running') step.succeed();
    return result;
  } catch (error) {
    if (!context.signal.aborted) step.fail(describeFailure(error));
    throw error;
  }
}
