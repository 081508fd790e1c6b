import { Injectable } from '@nestjs/common';
import {
  connectionOf,
  encodeCursor,
  intCursorDecoder,
  pageWindow,
  type ConnectionShape,
  type PageArgs,
} from '../common/graphql/connection';
import { globalId } from '../common/graphql/global-id';
import type { JobFilterInput } from './dto/job-filter.input';
import { knownJobErrorCode } from './job-error-codes';
import { parseJobId } from './job-id';
import { JobStore, type JobListFilter } from './job-store';
import type { Job, JobLogEntry, JobStep } from './job.types';
import type { JobStepModel } from './models/job-step.model';

const JOB_CURSOR = 'job';
const LOG_CURSOR = 'log';

export function toListFilter(filter: JobFilterInput): JobListFilter {
  return {
    states: filter.states ?? undefined,
    operations: filter.operations ?? undefined,
    triggers: filter.triggers ?? undefined,
    backup: filter.backup ?? undefined,
    repository: filter.repository ?? undefined,
    id: filter.id === undefined || filter.id === null ? undefined : parseJobId(filter.id),
  };
}

export function jobMatches(job: Job, filter: JobFilterInput | undefined | null): boolean {
  if (!filter) return true;
  const wanted = toListFilter(filter);
  if (wanted.id !== undefined && job.id !== wanted.id) return false;
  if (wanted.states?.length && !wanted.states.includes(job.state)) return false;
  if (wanted.operations?.length && !wanted.operations.includes(job.operation)) return false;
  if (wanted.triggers?.length && !wanted.triggers.includes(job.trigger)) return false;
  if (wanted.backup !== undefined && job.backup !== wanted.backup) return false;
  if (wanted.repository !== undefined && job.repository !== wanted.repository) return false;
  return true;
}

export function toStepModel(jobId: number, step: JobStep, index: number): JobStepModel {
  return {
    ...step,
    id: globalId('JobStep', jobId, index),
    jobId,
    repositoryName: step.repository,
    error: step.error && { code: knownJobErrorCode(step.error.code), message: step.error.message },
  };
}

/** Pages of jobs and of job logs, as connections. */
@Injectable()
export class JobPages {
  constructor(private readonly store: JobStore) {}

  jobs(page: PageArgs, filter: JobFilterInput): ConnectionShape<Job> {
    const window = pageWindow(page, intCursorDecoder(JOB_CURSOR));
    const result = this.store.page(toListFilter(filter), window);
    return connectionOf(result.items, result, (job) => encodeCursor(JOB_CURSOR, job.id));
  }

  logs(jobId: number, page: PageArgs): ConnectionShape<JobLogEntry> {
    const window = pageWindow(page, intCursorDecoder(LOG_CURSOR));
    const result = this.store.logs(jobId, window);
    return connectionOf(result.items, result, (entry) => encodeCursor(LOG_CURSOR, entry.seq));
  }
}
