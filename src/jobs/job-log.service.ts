import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { outsideRequest } from '../common/outside-request';
import { SecretScrubber } from '../common/secret-scrubber';
import { JobEvents } from './job-events';
import { JobStore } from './job-store';
import { StateDiskFullError } from '../state/state-disk-full';
import type { Job, JobLogEntry, JobLogLevel } from './job.types';

const STDOUT_METHOD = { debug: 'debug', info: 'log', warn: 'warn', error: 'error' } as const;

/** Lines stored per job; past it, one marker line is stored and the rest go to stdout only. */
export const MAX_STORED_LOG_LINES = 10_000;

const capNote = `a job keeps at most ${MAX_STORED_LOG_LINES} log lines; the rest went to stdout only`;
const markerMessage = (more: number | null) =>
  more === null
    ? `… more lines not stored (${capNote})`
    : `… ${more} more lines not stored (${capNote})`;

/**
 * Writes one line of a job's log: scrubbed of secrets, stored, streamed to `jobLogs`
 * subscribers, and echoed to stdout as JSON with the job id and its path.
 */
@Injectable()
export class JobLogService {
  private readonly logger = new Logger('job');
  private readonly lastSeq = new Map<number, number>();
  /** jobs past the cap: how many lines were not stored since the marker was written */
  private readonly notStored = new Map<number, number>();

  constructor(
    private readonly store: JobStore,
    private readonly events: JobEvents,
    private readonly scrubber: SecretScrubber,
    private readonly clock: Clock,
  ) {}

  /**
   * `path` continues after `trigger > operation#id`, e.g. ['repository local', 'restic'].
   * `fields` go only to the stdout line (structured data for log pipelines), not to the stored log.
   */
  write(
    job: Job,
    level: JobLogLevel,
    message: string,
    path: string[] = [],
    fields: object = {},
  ): JobLogEntry {
    const seq = (this.lastSeq.get(job.id) ?? this.store.nextLogSeq(job.id) - 1) + 1;
    this.lastSeq.set(job.id, seq);
    const entry: JobLogEntry = {
      jobId: job.id,
      seq,
      time: new Date(this.clock.now()).toISOString(),
      level,
      path: [job.trigger, `${job.operation}#${job.id}`, ...path].join(' > '),
      message: this.scrubber.scrub(message),
    };
    let stored = true;
    if (seq <= MAX_STORED_LOG_LINES) {
      stored = this.append(entry);
    } else if (seq === MAX_STORED_LOG_LINES + 1) {
      const marker: JobLogEntry = { ...entry, level: 'warn', message: markerMessage(null) };
      stored = this.append(marker);
      this.notStored.set(job.id, 1);
    } else if (this.notStored.has(job.id)) {
      this.notStored.set(job.id, this.notStored.get(job.id)! + 1);
    }
    // A job's lines carry its id and path, not the id of a request that queued or canceled it.
    outsideRequest(() =>
      this.logger[STDOUT_METHOD[level]]({
        ...fields,
        msg: entry.message,
        jobId: job.id,
        path: entry.path,
        ...(stored ? {} : { stored: false }),
      }),
    );
    return entry;
  }

  /**
   * Stores a line, then streams it. A line that cannot be stored (the state database's disk is
   * full; StateDatabase logged that once) goes to stdout only, like lines past the cap: a log line
   * must never make a job fail, and what is not stored is not announced.
   */
  private append(entry: JobLogEntry): boolean {
    try {
      this.store.appendLog(entry);
    } catch (error) {
      if (!(error instanceof StateDiskFullError)) {
        this.logger.error({
          msg: 'storing a job log line failed',
          jobId: entry.jobId,
          error: String(error),
        });
      }
      return false;
    }
    this.events.log(entry);
    return true;
  }

  /** The job will not log again; its counter is no longer needed. */
  forget(jobId: number): void {
    const notStored = this.notStored.get(jobId);
    if (notStored !== undefined) {
      try {
        this.store.replaceLogMessage(jobId, MAX_STORED_LOG_LINES + 1, markerMessage(notStored));
      } catch {
        // the marker keeps saying "more lines not stored", only without their count
      }
      this.notStored.delete(jobId);
    }
    this.lastSeq.delete(jobId);
  }
}
