import { Injectable } from '@nestjs/common';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import { toStepModel } from './job-pages';
import { JobStore } from './job-store';
import type { Job, JobLogEntry } from './job.types';
import type { JobStepModel } from './models/job-step.model';

const number = (key: string): number | null => (/^\d{1,15}$/.test(key) ? Number(key) : null);

@Injectable()
@NodeFetcherProvider()
export class JobNodeFetcher implements NodeFetcher {
  readonly type = 'Job';
  constructor(private readonly store: JobStore) {}

  fetch([id]: string[]): Job | null {
    const n = number(id);
    return n === null ? null : this.store.get(n);
  }
}

@Injectable()
@NodeFetcherProvider()
export class JobStepNodeFetcher implements NodeFetcher {
  readonly type = 'JobStep';
  constructor(private readonly store: JobStore) {}

  fetch([jobId, index]: string[]): JobStepModel | null {
    const [n, i] = [number(jobId), number(index)];
    const job = n === null ? null : this.store.get(n);
    const step = job && i !== null ? job.steps[i] : undefined;
    return job && step && i !== null ? toStepModel(job.id, step, i) : null;
  }
}

@Injectable()
@NodeFetcherProvider()
export class JobLogEntryNodeFetcher implements NodeFetcher {
  readonly type = 'JobLogEntry';
  constructor(private readonly store: JobStore) {}

  fetch([jobId, seq]: string[]): JobLogEntry | null {
    const [n, s] = [number(jobId), number(seq)];
    return n === null || s === null ? null : this.store.logEntry(n, s);
  }
}
