import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { type ConfigChange, LiveConfig } from '../config/live-config';
import { formatPriority } from '../config/priority';
import { Clock } from '../common/clock';
import { outsideRequest } from '../common/outside-request';
import { finalProgress } from './job-progress';
import { SecretScrubber } from '../common/secret-scrubber';
import { JobContext, type JobReporter } from './job-context';
import { JobEvents } from './job-events';
import { jobEndFields } from './job-end-fields';
import { describeFailure } from './job-failure';
import { JobHandlers } from './job-handlers';
import { JobLogService } from './job-log.service';
import type { ResourceLock } from './job-locks';
import { JobQueue } from './job-queue';
import { selectJobsToStart } from './job-selection';
import { JobStore } from './job-store';
import { StateDiskFullError } from '../state/state-disk-full';
import type { Job, JobError, JobRequest, JobState } from './job.types';

type StopReason = 'canceled' | 'timeout' | 'shutdown';

interface RunningJob {
  job: Job;
  locks: ResourceLock[];
  controller: AbortController;
  stopReason: StopReason | null;
  done: Promise<void>;
}

const PROGRESS_INTERVAL_MS = 500;
/**
 * restic 0.14 reports status only when its counters change, or once a second; once every file
 * is read and it only uploads (under a bandwidth limit, for a long while) even that can stretch
 * past a second. Without news for this long, the runner restates a running job's progress with
 * its elapsed time from the daemon's clock, so that live views keep moving at least once a second.
 */
const PROGRESS_HEARTBEAT_MS = 600;

interface ProgressPacing {
  /** when progress was last announced */
  last: number;
  /** a trailing announcement is due */
  cancel?: () => void;
  stopHeartbeat?: () => void;
  /** restic's own elapsed time at its last report, and when that was */
  reported: { at: number; secondsElapsed: number };
}
const QUEUE_SUMMARY_INTERVAL_MS = 60_000;
/** How often job states that could not be saved (a full disk) are tried again. */
const SAVE_RETRY_INTERVAL_MS = 10_000;

export class JobNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
}
export class JobConflictError extends Error {
  readonly code = 'CONFLICT';
}

/**
 * Owns the life of every job: queueing (with de-duplication), choosing what may start, running
 * it through its handler with a deadline, cancelling, and recording each state change in the
 * store before announcing it.
 */
@Injectable()
export class JobRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private readonly queue = new JobQueue();
  private readonly running = new Map<number, RunningJob>();
  private readonly progressTimers = new Map<number, ProgressPacing>();
  private accepting = false;
  private stopSummary?: () => void;
  /** Jobs whose latest state could not be saved (the state database's disk is full), by id. */
  private readonly unsaved = new Map<number, Job>();
  /** Ended jobs among them: their end is announced once it is saved. */
  private readonly unannouncedEnds = new Set<number>();
  private cancelSaveRetry?: () => void;

  constructor(
    private readonly config: LiveConfig,
    private readonly store: JobStore,
    private readonly handlers: JobHandlers,
    private readonly events: JobEvents,
    private readonly logs: JobLogService,
    private readonly clock: Clock,
    private readonly scrubber: SecretScrubber,
  ) {
    config.onChange((change) => this.configChanged(change));
  }

  /** Starts running jobs, after startup recovery has put the queue in order. */
  start(): void {
    this.accepting = true;
    this.stopSummary = this.clock.setInterval(
      () => this.logQueueSummary(),
      QUEUE_SUMMARY_INTERVAL_MS,
      'jobs queue summary',
    );
    this.pump();
  }

  /** Puts back a job that was waiting when the daemon last stopped. */
  requeue(job: Job): void {
    this.queue.add(job);
    this.pump();
  }

  enqueue(request: JobRequest): Job {
    const identical = this.queue.findIdentical(request);
    if (identical) {
      if (request.priority > identical.priority) {
        identical.priority = request.priority;
        this.commit(identical);
        this.logs.write(
          identical,
          'info',
          `priority raised to ${formatPriority(request.priority)}`,
        );
        this.pump();
      }
      return structuredClone(identical);
    }
    const job = this.store.create(request, this.nowIso());
    this.events.updated(job);
    this.logs.write(job, 'info', `queued with priority ${formatPriority(job.priority)}`);
    this.queue.add(job);
    this.pump();
    return structuredClone(job);
  }

  cancel(id: number): Job {
    const waiting = this.cancelWaiting(id, 'canceled before it started');
    if (waiting) {
      this.pump();
      return structuredClone(waiting);
    }
    const running = this.running.get(id);
    if (running) {
      this.stop(running, 'canceled');
      return structuredClone(running.job);
    }
    const stored = this.store.get(id);
    if (!stored) throw new JobNotFoundError(`no job with id ${id}`);
    throw new JobConflictError(`job ${id} has already ended (${stored.state})`);
  }

  private cancelWaiting(id: number, reason: string): Job | undefined {
    const waiting = this.queue.remove(id);
    if (!waiting) return undefined;
    waiting.state = 'canceled';
    waiting.endedAt = this.nowIso();
    waiting.error = { code: 'CANCELED', message: reason };
    this.commit(waiting);
    this.logs.write(waiting, 'info', `canceled while queued: ${reason}`, [], jobEndFields(waiting));
    this.finish(waiting);
    return waiting;
  }

  /**
   * After a reload: waiting jobs whose backup or repository is gone cannot run and are canceled,
   * saying why; the others keep their place. Running jobs go on with the definitions they started
   * with. A new concurrency takes effect at once.
   */
  private configChanged({ current }: ConfigChange): void {
    for (const job of this.queue.ordered()) {
      const gone =
        job.backup !== null && !(job.backup in current.backups)
          ? `backup "${job.backup}"`
          : job.repository !== null && !(job.repository in current.repositories)
            ? `repository "${job.repository}"`
            : null;
      if (gone) this.cancelWaiting(job.id, `${gone} is no longer in the configuration`);
    }
    this.pump();
  }

  /** The live version of a job when it is waiting or running, so callers see current progress. */
  live(id: number): Job | undefined {
    const job = this.queue.get(id) ?? this.running.get(id)?.job;
    return job ? structuredClone(job) : undefined;
  }

  counts(): { queued: number; running: number } {
    return { queued: this.queue.size, running: this.running.size };
  }

  queuedJobs(): Job[] {
    return this.queue.ordered().map((j) => structuredClone(j));
  }

  runningJobs(): Job[] {
    return [...this.running.values()].map((r) => structuredClone(r.job));
  }

  /** Stops running jobs (restic gets SIGINT) and records them interrupted, before the state closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.accepting = false;
    this.stopSummary?.();
    const running = [...this.running.values()];
    for (const r of running) this.stop(r, 'shutdown');
    await Promise.all(running.map((r) => r.done));
    // A last try for states a full disk held back (what still fails, startup recovery sorts out).
    // The canceled timer stays in the field, so a failing save here schedules no new one.
    this.cancelSaveRetry?.();
    this.retrySaves();
  }

  /** Waits until nothing runs; for tests and orderly shutdown. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Starts what may start. Jobs are background work, even when a request queued them. */
  private pump(): void {
    outsideRequest(() => this.startWhatMay());
  }

  private startWhatMay(): void {
    if (!this.accepting) return;
    const candidates = this.queue.ordered().map((job) => {
      const handler = this.handlers.get(job.operation);
      return { job, locks: handler.locks(job), takesNoSlot: handler.takesNoSlot };
    });
    const runningLocks = [...this.running.values()].map((r) => r.locks);
    for (const { job, locks } of selectJobsToStart(
      candidates,
      runningLocks,
      this.config.current.jobs.concurrency,
    )) {
      this.queue.remove(job.id);
      if (!this.launch(job, locks)) break;
    }
  }

  /** Starts a job; false when its start cannot be recorded, and then it waits in the queue. */
  private launch(job: Job, locks: ResourceLock[]): boolean {
    const handler = this.handlers.get(job.operation);
    const controller = new AbortController();
    const entry: RunningJob = { job, locks, controller, stopReason: null, done: Promise.resolve() };
    this.running.set(job.id, entry);

    job.state = 'running';
    job.startedAt = this.nowIso();
    if (!this.commit(job)) {
      // What cannot be recorded does not run: the job waits, and the save retry starts it later.
      job.state = 'queued';
      job.startedAt = null;
      this.unsaved.delete(job.id);
      this.running.delete(job.id);
      this.queue.add(job);
      return false;
    }
    this.logs.write(
      job,
      'info',
      `started${job.backup ? ` backup ${job.backup}` : ''}${job.repository ? ` on repository ${job.repository}` : ''}`,
    );

    const maxMs = handler.maxDurationMs?.(job) ?? this.config.current.jobs.maxDurationMs;
    const cancelDeadline = this.clock.setTimeout(
      () => this.stop(entry, 'timeout'),
      maxMs,
      `job ${job.id} max duration`,
    );
    const context = new JobContext(job, controller.signal, this.reporter(), this.logs);

    entry.done = (async () => {
      let failure: unknown = null;
      try {
        await handler.run(context);
      } catch (error) {
        failure = error;
      }
      cancelDeadline();
      this.complete(entry, failure, maxMs);
    })();
    return true;
  }

  private complete(entry: RunningJob, failure: unknown, maxMs: number): void {
    const { job } = entry;
    const failedStep = job.steps.find((s) => s.state === 'failed');
    let state: JobState;
    let error: JobError | null = null;
    switch (entry.stopReason) {
      case 'canceled':
        state = 'canceled';
        error = { code: 'CANCELED', message: 'canceled while running' };
        break;
      case 'timeout':
        state = 'failed';
        error = {
          code: 'TIMED_OUT',
          message: `stopped after running longer than ${Math.round(maxMs / 1000)} s (maxDuration)`,
        };
        break;
      case 'shutdown':
        state = 'interrupted';
        error = { code: 'INTERRUPTED', message: 'the daemon stopped while the job ran' };
        break;
      default:
        if (failure) {
          state = 'failed';
          const described = describeFailure(failure);
          error = { code: described.code, message: this.scrubber.scrub(described.message) };
        } else if (failedStep) {
          state = 'failed';
          error = failedStep.error;
        } else {
          state = 'succeeded';
        }
    }
    const stepEnd = state === 'interrupted' ? 'interrupted' : 'canceled';
    for (const step of job.steps) {
      if (step.state === 'running' || step.state === 'pending') {
        step.state = stepEnd;
        step.endedAt = this.nowIso();
      }
    }
    this.flushProgress(job.id);
    job.progress = finalProgress(job, state);
    job.state = state;
    job.error = error;
    job.endedAt = this.nowIso();
    this.running.delete(job.id);
    this.commit(job);
    const seconds = (Date.parse(job.endedAt) - Date.parse(job.startedAt ?? job.endedAt)) / 1000;
    this.logs.write(
      job,
      state === 'succeeded' ? 'info' : 'error',
      `ended ${state}${error ? `: ${error.message}` : ''} after ${seconds.toFixed(1)} s`,
      [],
      jobEndFields(job),
    );
    this.logs.forget(job.id);
    this.finish(job);
    this.pump();
  }

  private stop(entry: RunningJob, reason: StopReason): void {
    if (entry.stopReason) return;
    entry.stopReason = reason;
    this.logs.write(
      entry.job,
      'warn',
      `stopping: ${reason === 'timeout' ? 'maxDuration reached' : reason}`,
    );
    entry.controller.abort(new Error(reason));
  }

  private finish(job: Job): void {
    if (this.unsaved.has(job.id)) {
      this.unannouncedEnds.add(job.id);
      return;
    }
    this.events.finished(job);
  }

  /**
   * Saves a job, then announces the change. A save that fails (the state database's disk is full;
   * StateDatabase logs that once) is not announced and never throws into the job: the job goes on
   * in memory, and its latest state is saved and announced by the next commit or the retry.
   */
  private commit(job: Job): boolean {
    job.updatedAt = this.nowIso();
    try {
      this.store.save(job);
    } catch (error) {
      if (!(error instanceof StateDiskFullError)) {
        this.logger.error({
          msg: `saving job ${job.id} failed`,
          jobId: job.id,
          error: String(error),
        });
      }
      this.unsaved.set(job.id, job);
      this.scheduleSaveRetry();
      return false;
    }
    this.unsaved.delete(job.id);
    this.events.updated(job);
    return true;
  }

  private scheduleSaveRetry(): void {
    if (this.cancelSaveRetry) return;
    this.cancelSaveRetry = this.clock.setTimeout(() => {
      this.cancelSaveRetry = undefined;
      this.retrySaves();
    }, SAVE_RETRY_INTERVAL_MS);
  }

  /** Saves what could not be saved, announcing ends held back, then starts what waited. */
  private retrySaves(): void {
    for (const job of [...this.unsaved.values()]) {
      if (!this.commit(job)) return; // still failing; commit scheduled the next try
      if (this.unannouncedEnds.delete(job.id)) this.events.finished(job);
    }
    this.pump();
  }

  private reporter(): JobReporter {
    return {
      changed: (job) => this.commit(job),
      progress: (job) => this.throttledProgress(job),
      now: () => this.nowIso(),
    };
  }

  private throttledProgress(job: Job): void {
    const now = this.clock.now();
    const reported = { at: now, secondsElapsed: job.progress?.secondsElapsed ?? 0 };
    let state = this.progressTimers.get(job.id);
    if (!state) {
      const pacing: ProgressPacing = { last: 0, reported };
      pacing.stopHeartbeat = this.clock.setInterval(
        () => this.heartbeat(job, pacing),
        PROGRESS_HEARTBEAT_MS / 4,
      );
      this.progressTimers.set(job.id, pacing);
      state = pacing;
    }
    state.reported = reported;
    if (state.cancel) return; // a trailing update is already due and will carry the latest values
    const wait = state.last + PROGRESS_INTERVAL_MS - now;
    if (wait <= 0) {
      state.last = now;
      this.commit(job);
      return;
    }
    const pacing = state;
    pacing.cancel = this.clock.setTimeout(() => {
      pacing.cancel = undefined;
      pacing.last = this.clock.now();
      if (this.running.has(job.id)) this.commit(job);
    }, wait);
  }

  private heartbeat(job: Job, pacing: ProgressPacing): void {
    const now = this.clock.now();
    if (pacing.cancel || now - pacing.last < PROGRESS_HEARTBEAT_MS) return;
    if (!job.progress || !this.running.has(job.id)) return;
    const { at, secondsElapsed } = pacing.reported;
    job.progress = {
      ...job.progress,
      secondsElapsed: Math.max(
        job.progress.secondsElapsed,
        Math.floor(secondsElapsed + (now - at) / 1000),
      ),
    };
    pacing.last = now;
    this.commit(job);
  }

  private flushProgress(jobId: number): void {
    const pacing = this.progressTimers.get(jobId);
    pacing?.cancel?.();
    pacing?.stopHeartbeat?.();
    this.progressTimers.delete(jobId);
  }

  private logQueueSummary(): void {
    if (!this.queue.size && !this.running.size) return;
    const describe = (j: Job) =>
      `${j.operation}#${j.id}${j.backup ? `(${j.backup})` : j.repository ? `(${j.repository})` : ''}`;
    this.logger.log({
      msg: `queue: ${this.running.size} running [${[...this.running.values()].map((r) => describe(r.job)).join(', ')}], ${this.queue.size} waiting [${this.queue.ordered().map(describe).join(', ')}]`,
      running: this.running.size,
      queued: this.queue.size,
    });
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
