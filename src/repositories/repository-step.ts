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
    // restic starts once the job's start and this step have reached the subscribers: forking
    // the daemon blocks its event loop (2–19 ms) and restic then spends ~0.4 s of a core
    // deriving the repository key, which with 2,000 dashboards subscribed on 2 cores made a
    // job's start the slowest event to arrive (BENCHMARKS.md). Without subscribers this is a
    // microtask; with 2,000, the hand-over (tens of ms).
    await Promise.race([context.announced(), aborted(context.signal)]);
    context.signal.throwIfAborted();
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

/** A repository a job failed on, with the failure's code and message. */
export interface RepositoryFailure {
  repository: string;
  code: string;
  message: string;
}

/**
 * Runs `work` as one step per repository, in order (see inRepositoryStep, which opens each one
 * first); a repository that fails does not stop the others, and its failure is returned. A cancel
 * stops at once: what it interrupted rethrows; between repositories, `stopped()` is thrown when
 * given, otherwise the loop just ends.
 */
export async function inEachRepository<R extends { name: string; limits: Limits }>(
  context: JobContext,
  repositories: readonly R[],
  opener: RepositoryOpener,
  work: (repository: R, step: StepHandle, onLog: (line: ResticLogLine) => void) => Promise<void>,
  stopped?: () => Error,
): Promise<RepositoryFailure[]> {
  const failures: RepositoryFailure[] = [];
  for (const repository of repositories) {
    if (context.signal.aborted) {
      if (stopped) throw stopped();
      break;
    }
    try {
      await inRepositoryStep(
        context,
        repository.name,
        (step, onLog) => work(repository, step, onLog),
        { opener, limits: repository.limits },
      );
    } catch (error) {
      if (context.signal.aborted) throw error;
      failures.push({ repository: repository.name, ...describeFailure(error) });
    }
  }
  return failures;
}

/** "2 of 3 repositories failed (a: why; b: why)", for a job's error. */
export function repositoriesFailed(failures: readonly RepositoryFailure[], total: number): string {
  const details = failures.map((f) => `${f.repository}: ${f.message}`).join('; ');
  return `${failures.length} of ${total} repositories failed (${details})`;
}

/** Resolves when `signal` aborts: a stop never waits behind the announcement. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
