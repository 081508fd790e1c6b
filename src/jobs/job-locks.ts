import type { Job } from './job.types';

/**
 * What a job holds while it runs. restic's lock modes decide: a backup shares its repositories,
 * while forget, prune, check and unlock need theirs alone; a backup definition is held
 * exclusively so that it never runs twice at once.
 */
export interface ResourceLock {
  resource: string;
  mode: 'shared' | 'exclusive';
}

export const repositoryLock = (name: string, mode: ResourceLock['mode']): ResourceLock => ({
  resource: `repository:${name}`,
  mode,
});

export const backupLock = (name: string): ResourceLock => ({
  resource: `backup:${name}`,
  mode: 'exclusive',
});

export function locksConflict(a: readonly ResourceLock[], b: readonly ResourceLock[]): boolean {
  return a.some((x) =>
    b.some((y) => x.resource === y.resource && (x.mode === 'exclusive' || y.mode === 'exclusive')),
  );
}

export function repositoriesIn(locks: readonly ResourceLock[]): string[] {
  return locks
    .filter((l) => l.resource.startsWith('repository:'))
    .map((l) => l.resource.slice('repository:'.length));
}

/** For jobs that need their repository alone (init, unlock, check). */
export const exclusiveRepositoryLock = (job: Pick<Job, 'repository'>): ResourceLock[] => [
  repositoryLock(job.repository!, 'exclusive'),
];
