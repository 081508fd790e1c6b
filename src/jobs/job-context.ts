import type { JobLogService } from './job-log.service';
import { jobPercent } from './job-progress';
import type { Job, JobError, JobLogLevel, JobStep, StepProgress } from './job.types';

/** What the runner offers a handler to report on its job. */
export interface JobReporter {
  /** persist, then announce */
  changed(job: Job): void;
  /** announce progress, at most twice a second */
  progress(job: Job): void;
  /** resolves once what was announced so far has been handed to the subscribers */
  announced(): Promise<void>;
  now(): string;
}

const EMPTY_PROGRESS: StepProgress = {
  percent: 0,
  filesDone: 0,
  totalFiles: 0,
  bytesDone: 0,
  totalBytes: 0,
  secondsElapsed: 0,
  secondsRemaining: null,
  currentFiles: [],
  step: null,
};

export class JobContext {
  /** how many steps the handler expects to run, for the job-level percent */
  private plannedSteps = 0;

  constructor(
    readonly job: Job,
    readonly signal: AbortSignal,
    private readonly reporter: JobReporter,
    private readonly logs: JobLogService,
  ) {}

  /**
   * Resolves once the job changes announced so far (this job's start and steps among them) have
   * been handed to the subscribers: work that would take the CPU from that announcement waits.
   */
  announced(): Promise<void> {
    return this.reporter.announced();
  }

  log(level: JobLogLevel, message: string): void {
    this.logs.write(this.job, level, message);
  }

  warn(message: string): void {
    this.job.warnings.push(message);
    this.logs.write(this.job, 'warn', message);
    this.reporter.changed(this.job);
  }

  addSnapshot(id: string): void {
    this.job.snapshotIds.push(id);
    this.reporter.changed(this.job);
  }

  /** Says how many steps (hooks and restic runs) the job will have, for its overall percent. */
  planSteps(count: number): void {
    this.plannedSteps = count;
  }

  progress(progress: StepProgress): void {
    this.job.progress = {
      ...progress,
      jobPercent: jobPercent(this.job, this.plannedSteps, progress),
      complete: false,
    };
    this.reporter.progress(this.job);
  }

  /** A step ended: the job-level percent moves on, whatever the step's own progress said. */
  private stepEnded(): void {
    if (!this.job.progress && this.plannedSteps === 0) return;
    const last = this.job.progress;
    this.job.progress = {
      ...(last ?? EMPTY_PROGRESS),
      jobPercent: jobPercent(this.job, this.plannedSteps, null),
      currentFiles: [],
      complete: false,
    };
  }

  step(name: string, kind: JobStep['kind'], repository: string | null = null): StepHandle {
    const step: JobStep = {
      name,
      kind,
      repository,
      state: 'running',
      startedAt: this.reporter.now(),
      endedAt: null,
      error: null,
      snapshotId: null,
      summary: null,
    };
    this.job.steps.push(step);
    this.reporter.changed(this.job);
    return new StepHandle(this.job, step, this.reporter, this.logs, () => this.stepEnded());
  }
}

export class StepHandle {
  constructor(
    private readonly job: Job,
    readonly step: JobStep,
    private readonly reporter: JobReporter,
    private readonly logs: JobLogService,
    private readonly onEnd: () => void = () => undefined,
  ) {}

  log(level: JobLogLevel, message: string, source?: string): void {
    const path = [this.step.name, ...(source ? [source] : [])];
    this.logs.write(this.job, level, message, path);
  }

  succeed(details: Partial<Pick<JobStep, 'snapshotId' | 'summary'>> = {}): void {
    Object.assign(this.step, details);
    this.end('succeeded', null);
  }

  /** Ends the step as failed in a way that does not fail the job (an ignored hook failure). */
  warn(error: JobError): void {
    this.log('warn', error.message);
    this.end('warned', error);
  }

  fail(error: JobError): void {
    this.log('error', error.message);
    this.end('failed', error);
  }

  private end(state: JobStep['state'], error: JobError | null): void {
    this.step.state = state;
    this.step.error = error;
    this.step.endedAt = this.reporter.now();
    this.onEnd();
    this.reporter.changed(this.job);
  }
}
