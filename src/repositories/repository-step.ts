import type { JobContext, StepHandle } from '../jobs/job-context';
import { describeFailure } from '../jobs/job-failure';
import { DEFAULT_LOCK_WAIT_DELAYS_MS, type LockWaitPolicy } from '../restic/lock-retry';
import type { ResticLogLine } from '../restic/restic.types';
import type { Limits } from '../config/config.types';
import type { RepositoryOpener } from './repository-opener';

/**
 * Runs restic work on one repository as a job step: restic's lines go to the step's log, and a
 * failure marks the step failed (a cancel leaves that to the runner) before it propagates.
 */
export async function inRepositoryStep<T>(
  context: JobContext,
  repository: string,
  work: (step: StepHandle, onLog: (line: ResticLogLine) => void) => Promise<T>,
  /** opens the repository first when it is not known to be ready, and hears of its failures */
  opener?: { opener: RepositoryOpener; limits?: Limits },
): Promise<T> {
  const step = context.step(`repository ${repository}`, 'restic', repository);
  const onLog = (line: ResticLogLine) => step.log(line.level, line.text, 'restic');
  try {
    await opener?.opener.ensureReady(repository, {
      signal: context.signal,
      limits: opener.limits,
      onLog,
    });
    const result = await work(step, onLog);
    if (step.step.state === 'running') step.succeed();
    return result;
  } catch (error) {
    if (!context.signal.aborted) opener?.opener.noteFailure(repository, error);
    if (!context.signal.aborted) step.fail(describeFailure(error));
    throw error;
  }
}

/** Waits for a repository that another process holds, saying so in the step's log. */
export function lockWaitFor(step: StepHandle): LockWaitPolicy {
  return {
    delaysMs: DEFAULT_LOCK_WAIT_DELAYS_MS,
    onWait: ({ attempt, delayMs }) =>
      step.log(
        'warn',
        `the repository is locked by another process; trying again in ${delayMs / 1000} s (attempt ${attempt + 1})`,
      ),
  };
}
