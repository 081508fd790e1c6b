/**
 * A JobContext for unit tests, without a database: log lines are collected in memory. Plain code
 * (no jest) so it compiles with the rest of src.
 */
import { JobContext } from '../../src/jobs/job-context';
import type { JobLogService } from '../../src/jobs/job-log.service';
import type { Job, JobLogLevel } from '../../src/jobs/job.types';

export interface CollectedLog {
  level: JobLogLevel;
  message: string;
  /** the path after the job: step name, then the source */
  path: string[];
}

export function fakeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 7,
    operation: 'backup',
    backup: 'pics',
    repository: null,
    trigger: 'api',
    priority: 0,
    state: 'running',
    queuedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    steps: [],
    progress: null,
    warnings: [],
    error: null,
    snapshotIds: [],
    params: {},
    ...overrides,
  };
}

export function fakeJobContext(job: Job = fakeJob(), signal = new AbortController().signal) {
  const logs: CollectedLog[] = [];
  const logService = {
    write: (_job: Job, level: JobLogLevel, message: string, path: string[] = []) => {
      logs.push({ level, message, path });
    },
  } as unknown as JobLogService;
  const reporter = {
    changed: () => undefined,
    progress: () => undefined,
    announced: () => Promise.resolve(),
    now: () => new Date().toISOString(),
  };
  const context = new JobContext(job, signal, reporter, logService);
  return { context, job, logs };
}
