import type { Job, JobRequest } from './job.types';

/** Two requests are the same work when they name the same operation, subjects and parameters. */
export function identityOf(
  request: Pick<JobRequest, 'operation' | 'backup' | 'repository' | 'params'>,
): string {
  return JSON.stringify([
    request.operation,
    request.backup ?? null,
    request.repository ?? null,
    canonical(request.params ?? {}),
  ]);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** The waiting jobs, highest priority first and first in, first out among equals. */
export class JobQueue {
  private readonly waiting = new Map<number, Job>();

  add(job: Job): void {
    this.waiting.set(job.id, job);
  }

  remove(id: number): Job | undefined {
    const job = this.waiting.get(id);
    this.waiting.delete(id);
    return job;
  }

  get(id: number): Job | undefined {
    return this.waiting.get(id);
  }

  findIdentical(request: JobRequest): Job | undefined {
    const identity = identityOf(request);
    return [...this.waiting.values()].find((job) => identityOf(job) === identity);
  }

  some(predicate: (job: Job) => boolean): boolean {
    for (const job of this.waiting.values()) if (predicate(job)) return true;
    return false;
  }

  ordered(): Job[] {
    // Ids grow with time, so they order equal priorities by arrival.
    return [...this.waiting.values()].sort((a, b) => b.priority - a.priority || a.id - b.id);
  }

  get size(): number {
    return this.waiting.size;
  }
}
