import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SecretScrubber } from '../common/secret-scrubber';
import { JobEvents } from './job-events';
import { JobStore } from './job-store';
import type { Job, JobLogEntry, JobLogLevel } from './job.types';

const STDOUT_METHOD = { debug: 'debug', info: 'log', warn: 'warn', error: 'error' } as const;

/**
 * Writes one line of a job's log: scrubbed of secrets, stored, streamed to `jobLogs`
 * subscribers, and echoed to stdout as JSON with the job id and its path.
 */
@Injectable()
export class JobLogService {
  private readonly logger = new Logger('job');
  private readonly lastSeq = new Map<number, number>();

  constructor(
    private readonly store: JobStore,
    private readonly events: JobEvents,
    private readonly scrubber: SecretScrubber,
    private readonly clock: Clock,
  ) {}

  /** `path` continues after `trigger > operation#id`, e.g. ['repository local', 'restic']. */
  write(job: Job, level: JobLogLevel, message: string, path: string[] = []): JobLogEntry {
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
    this.store.appendLog(entry);
    this.events.log(entry);
    this.logger[STDOUT_METHOD[level]]({ msg: entry.message, jobId: job.id, path: entry.path });
    return entry;
  }

  /** The job will not log again; its counter is no longer needed. */
  forget(jobId: number): void {
    this.lastSeq.delete(jobId);
  }
}
