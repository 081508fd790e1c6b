import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { type ConfigChange, LiveConfig } from '../config/live-config';
import { formatPriority, isOnIdle } from '../config/priority';
import { Clock } from '../common/clock';
import { outsideRequest } from '../common/outside-request';
import { finalProgress } from './job-progress';
import { SecretScrubber } from '../common/secret-scrubber';
import { JobContext, type JobReporter } from './job-context';
import { JobDispatcher } from './job-dispatcher';
import { JobEvents } from './job-events';
import { jobEndFields } from './job-end-fields';
import { JobHandlers } from './job-handlers';
import { JobLogService } from './job-log.service';
import type { ResourceLock } from './job-locks';
import { endOpenSteps, jobOutcome, type StopReason } from './job-outcome';
import { JobStore } from './job-store';
import { ProgressPacer } from './progress-pacer';
import { SaveRetry } from './save-retry';
import type { Job, JobRequest } from './job.types';

interface RunningJob {
  job: Job;
  locks: ResourceLock[];
  controller: AbortController;
  stopReason: StopReason | null;
  done: Promise<void>;
}

const QUEUE_SUMMARY_INTERVAL_MS = 60_000;

export class JobNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
}
export class JobConflictError extends Error {
  readonly code = 'CONFLICT';
}

/**
 * Owns the life of every job: takes requests, starts what the dispatcher says may start, runs
 * each through its handler with a deadline, cancels, and ends it by the outcome rule. Its parts:
 * JobDispatcher (the queue), SaveRetry (save then announce, and retry what a full disk held
 * back), ProgressPacer (how often progress is announced), jobOutcome (how a job ended). A job's
 * changes flow one way: handler -> JobContext -> pacer or SaveRetry -> store, then announcement.
 */
@Injectable()
export class JobRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private readonly queue: JobDispatcher;
  private readonly running = new Map<number, RunningJob>();
  private readonly saves: SaveRetry;
  private readonly pacer: ProgressPacer;
  /** What a handler's context reports through; it never calls back into the runner. */
  private readonly reporter: JobReporter;
  private accepting = false;
  private stopSummary?: () => void;
  /** Since when nothing but on-idle jobs has run or waited; null while other work is there. */
  private idleSince: number | null = null;
  /** Cancels the timer that starts waiting on-idle work once the settle time is over. */
  private cancelIdleWake?: () => void;

  constructor(
    private readonly config: LiveConfig,
    private readonly store: JobStore,
    private readonly handlers: JobHandlers,
    private readonly events: JobEvents,
    private readonly logs: JobLogService,
    private readonly clock: Clock,
    private readonly scrubber: SecretScrubber,
  ) {
    this.queue = new JobDispatcher(handlers);
    // once every held-back state is saved, what waited for it may start
    this.saves = new SaveRetry(store, events, clock, () => this.pump());
    this.pacer = new ProgressPacer(clock, (job) => this.saves.save(job));
    this.reporter = {
      changed: (job) => this.saves.save(job),
      progress: (job) => this.pacer.report(job),
      announced: () => this.events.handedOver(),
      now: () => this.nowIso(),
    };
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
    const merged = this.queue.merge(request);
    if (merged) {
      const identical = merged.job;
      if (merged.raised) {
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
    for (const { job, gone } of this.queue.orphans(current)) {
      this.cancelWaiting(job.id, `${gone} is no longer in the configuration`);
    }
    // a new jobs.idleDelay takes effect at once
    this.stopIdleWake();
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
    this.stopIdleWake();
    const running = [...this.running.values()];
    for (const r of running) this.stop(r, 'shutdown');
    await Promise.all(running.map((r) => r.done));
    // A last try for states a full disk held back, then what waited would start (it does not:
    // the runner no longer accepts).
    this.saves.lastTry();
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
    const runningLocks = [...this.running.values()].map((r) => r.locks);
    for (const { job, locks } of this.queue.startable(
      runningLocks,
      this.config.current.jobs.concurrency,
      this.idleSettled(),
    )) {
      this.queue.remove(job.id);
      if (!this.launch(job, locks)) break;
    }
  }

  /**
   * Whether on-idle work may start: only once nothing but on-idle jobs has run or waited for
   * `jobs.idleDelay`. A backup requested right after another ended (a script, a dashboard, the
   * next of a series) then finds its slot free instead of waiting behind the index job the
   * first one queued. Other work resets the wait; while it runs and on-idle work waits, a timer
   * pumps the queue when it is over. Every change that makes the queue busy or idle pumps it,
   * so the state read here is current.
   */
  private idleSettled(): boolean {
    const busy =
      this.queue.hasWork() || [...this.running.values()].some((r) => !isOnIdle(r.job.priority));
    if (busy) {
      this.idleSince = null;
      this.stopIdleWake();
      return false;
    }
    const now = this.clock.now();
    this.idleSince ??= now;
    const left = this.idleSince + this.config.current.jobs.idleDelayMs - now;
    if (left <= 0) return true;
    if (!this.cancelIdleWake && this.queue.hasIdleWork()) {
      this.cancelIdleWake = this.clock.setTimeout(
        () => {
          this.cancelIdleWake = undefined;
          this.pump();
        },
        left,
        'jobs idle delay',
      );
    }
    return false;
  }

  private stopIdleWake(): void {
    this.cancelIdleWake?.();
    this.cancelIdleWake = undefined;
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
      this.saves.drop(job.id);
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
    this.pacer.start(job.id);
    const context = new JobContext(job, controller.signal, this.reporter, this.logs);

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
    const { state, error } = jobOutcome({
      stopReason: entry.stopReason,
      failure,
      steps: job.steps,
      maxMs,
      scrub: (text) => this.scrubber.scrub(text),
    });
    endOpenSteps(job.steps, state, this.nowIso());
    this.pacer.stop(job.id);
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
    this.saves.announceEnd(job);
  }

  /** Saves a job, then announces the change; false when it could not be saved (see SaveRetry). */
  private commit(job: Job): boolean {
    return this.saves.save(job);
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
