import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock } from '../common/clock';
import { JobEndedEvent } from '../common/events/job-ended.event';
import {
  BackupRequestedEvent,
  CheckRequestedEvent,
  type JobRequestAnswer,
  PruneRequestedEvent,
} from '../common/events/job-requested.events';
import { PendingJobQuery } from '../common/events/pending-job.query';
import { LiveConfig } from '../config/live-config';
import { isDeepStrictEqual } from 'node:util';
import { nextDueAt } from './next-run';
import {
  type ScheduledDefinition,
  scheduledDefinitions,
  scheduleKeyOfJob,
} from './schedule-definitions';
import { ScheduleRunStore } from '../state/schedule-run-store';

/** An IANA zone for cron expressions; without it they use the process's local zone (TZ). */
export const SCHEDULE_TIME_ZONE = Symbol('SCHEDULE_TIME_ZONE');

/**
 * The longest single wait. Node's timers stop during system suspend and ignore wall-clock changes,
 * so a long wait would fire late after the machine sleeps; waking every minute to compare with
 * the wall clock catches that within a minute. It also stays far below Node's 2^31-1 ms limit,
 * past which a timer fires at once.
 */
export const MAX_WAIT_MS = 60_000;

interface Entry {
  definition: ScheduledDefinition;
  /** when it is next due; null while its run is queued or running, or when it never fires */
  dueAt: number | null;
  cancelTimer?: () => void;
  /** a scheduled run canceled by a person counts as this slot's run, in memory only */
  dismissedAt?: number;
}

/**
 * Arms one timer per scheduled definition (backup, prune, repository check) and, when it is due,
 * only asks for the job. The next time is computed again when a job of that definition ends, from
 * the end time recorded then (never from when it was queued), so runs of one definition never pile
 * up: an interval is the rest between the end of one run and the next request. A definition that
 * must run at fixed times of day uses cron, which does not drift with run lengths.
 *
 * A run counts (is recorded in schedule_runs) when its job ends succeeded or failed, whatever
 * asked for it: a failed run is retried at the next slot, not in a loop. A job that never ran or
 * was stopped by a person (canceled) is not a run; a canceled scheduled job instead postpones the
 * schedule to its next slot after the cancel, in memory, so that the person's cancel is not undone
 * by the same schedule at once (after a restart the catch-up runs it). A job interrupted by a
 * shutdown is not a run, so the next start catches up.
 */
@Injectable()
export class ScheduleTrigger implements OnModuleDestroy {
  private readonly logger = new Logger('ScheduleTrigger');
  private readonly entries = new Map<string, Entry>();
  private readonly stopListening: (() => void)[];
  private started = false;

  constructor(
    config: LiveConfig,
    private readonly emitter: EventEmitter2,
    private readonly runs: ScheduleRunStore,
    private readonly clock: Clock,
    @Optional() @Inject(SCHEDULE_TIME_ZONE) private readonly timeZone?: string,
  ) {
    this.define(scheduledDefinitions(config.current));
    // Listening from construction rather than from start() (or from @OnEvent, which subscribes at
    // bootstrap), so that a run ending before start or after stop is still recorded.
    const ended = ({ job }: JobEndedEvent) => this.jobEnded(job);
    emitter.on(JobEndedEvent.event, ended);
    this.stopListening = [
      () => emitter.off(JobEndedEvent.event, ended),
      config.onChange(({ current }) => this.define(scheduledDefinitions(current))),
    ];
  }

  /**
   * Takes the definitions of a (re)loaded configuration. Unchanged ones keep their timer and
   * what they remember; removed ones stop; new and changed ones are armed, unless a job of theirs
   * waits or runs (its end arms them, as usual).
   */
  private define(definitions: ScheduledDefinition[]): void {
    const keys = new Set(definitions.map((d) => d.key));
    for (const [key, entry] of this.entries) {
      if (keys.has(key)) continue;
      entry.cancelTimer?.();
      this.entries.delete(key);
    }
    for (const definition of definitions) {
      const entry = this.entries.get(definition.key);
      if (entry && isDeepStrictEqual(entry.definition.schedules, definition.schedules)) continue;
      const updated: Entry = { ...entry, definition, dueAt: null };
      entry?.cancelTimer?.();
      updated.cancelTimer = undefined;
      this.entries.set(definition.key, updated);
      if (this.started && !this.pendingJob(definition)) this.arm(updated);
    }
  }

  /** Arms every schedule; call once the job runner has started. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const entry of this.entries.values()) this.arm(entry);
  }

  stop(): void {
    this.started = false;
    for (const entry of this.entries.values()) {
      entry.cancelTimer?.();
      entry.cancelTimer = undefined;
      entry.dueAt = null;
    }
  }

  /** Triggers stop first on shutdown, so that nothing new is queued while jobs wind down. */
  onModuleDestroy(): void {
    this.stop();
    for (const stop of this.stopListening) stop();
  }

  /** When the definition `key` (e.g. `backup:pictures`) is next due; see Entry.dueAt. */
  nextRunAt(key: string): Date | null {
    const dueAt = this.entries.get(key)?.dueAt;
    return dueAt === null || dueAt === undefined ? null : new Date(dueAt);
  }

  private jobEnded(job: JobEndedEvent['job']): void {
    const key = scheduleKeyOfJob(job);
    // Interrupted means the daemon is stopping: nothing to record, and nothing to arm.
    if (key === null || job.state === 'interrupted') return;
    const entry = this.entries.get(key);
    if (job.state === 'succeeded' || job.state === 'failed') {
      try {
        this.runs.record(key, job.endedAt ? Date.parse(job.endedAt) : this.clock.now());
      } catch (error) {
        // The state database could not record the run (a full disk; it logged why). Counting from
        // now keeps the schedule going without running the definition again at once.
        this.logger.error({ msg: `${key}: recording the run failed`, key, error: String(error) });
        if (entry) entry.dismissedAt = this.clock.now();
      }
    } else if (job.state === 'canceled' && job.trigger === 'schedule' && entry) {
      entry.dismissedAt = this.clock.now();
    }
    if (entry && this.started) this.arm(entry);
  }

  private arm(entry: Entry): void {
    entry.cancelTimer?.();
    entry.cancelTimer = undefined;
    const { key, schedules } = entry.definition;
    const last = this.runs.lastRunAt(key);
    const since =
      entry.dismissedAt === undefined ? last : Math.max(last ?? -Infinity, entry.dismissedAt);
    const dueAt = nextDueAt(schedules, since, this.clock.now(), this.timeZone);
    entry.dueAt = dueAt;
    if (dueAt === null) {
      this.logger.warn({ msg: `${describe(entry.definition)}: no schedule ever fires`, key });
      return;
    }
    this.logger.log({
      msg: `${describe(entry.definition)}: next run at ${new Date(dueAt).toISOString()}`,
      ...subjectFields(entry.definition),
      nextRunAt: new Date(dueAt).toISOString(),
    });
    this.wait(entry, dueAt);
  }

  private wait(entry: Entry, dueAt: number): void {
    const delay = Math.min(Math.max(dueAt - this.clock.now(), 0), MAX_WAIT_MS);
    entry.cancelTimer = this.clock.setTimeout(
      () => {
        entry.cancelTimer = undefined;
        if (this.clock.now() < dueAt) this.wait(entry, dueAt);
        else this.fire(entry, dueAt);
      },
      delay,
      `schedule ${entry.definition.key}`,
    );
  }

  private fire(entry: Entry, dueAt: number): void {
    const { definition } = entry;
    const fields = {
      ...subjectFields(definition),
      dueAt: new Date(dueAt).toISOString(),
      nextRunAt: null,
    };
    // Cleared first: the next time is computed when the job asked for here ends.
    entry.dueAt = null;
    const pending = this.pendingJob(definition);
    if (pending) {
      this.logger.log({
        msg: `${describe(definition)} is due but job ${pending.jobId} is already ${pending.state}; not asking again`,
        ...fields,
        jobId: pending.jobId,
      });
      return;
    }
    const answer = this.request(definition);
    if (answer?.outcome === 'queued') {
      this.logger.log({
        msg: `${describe(definition)} is due: queued job ${answer.jobId}`,
        ...fields,
        jobId: answer.jobId,
      });
      return;
    }
    // Not expected (the definitions come from the same config), but never spin on it.
    this.logger.error({
      msg: `${describe(definition)} is due but could not be queued`,
      ...fields,
      error: answer ? answer.reason : 'nothing listens for job requests',
    });
    entry.dismissedAt = this.clock.now();
    if (this.started) this.arm(entry);
  }

  /** A waiting or running job of the definition; another request would only pile up behind it. */
  private pendingJob({ operation, subject }: ScheduledDefinition): PendingJobQuery['answer'] {
    const query = new PendingJobQuery(operation, subject);
    this.emitter.emit(PendingJobQuery.event, query);
    return query.answer;
  }

  private request({ operation, subject }: ScheduledDefinition): JobRequestAnswer | undefined {
    const [name, event] =
      operation === 'backup'
        ? [BackupRequestedEvent.event, new BackupRequestedEvent(subject, 'schedule')]
        : operation === 'prune'
          ? [PruneRequestedEvent.event, new PruneRequestedEvent(subject, 'schedule')]
          : [CheckRequestedEvent.event, new CheckRequestedEvent(subject, 'schedule')];
    this.emitter.emit(name, event);
    return event.answer;
  }
}

function describe({ operation, subject }: ScheduledDefinition): string {
  return operation === 'check' ? `check of repository ${subject}` : `${operation} ${subject}`;
}

function subjectFields({ operation, subject }: ScheduledDefinition): Record<string, string> {
  return operation === 'check'
    ? { operation, repository: subject }
    : { operation, backup: subject };
}
