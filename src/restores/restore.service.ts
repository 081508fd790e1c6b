import { Injectable } from '@nestjs/common';
import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LiveConfig } from '../config/live-config';
import { PRIORITY, type Priority } from '../config/priority';
import { JobRunner } from '../jobs/job-runner.service';
import type { Job, JobTrigger } from '../jobs/job.types';
import { RepositoriesService } from '../repositories/repositories.service';
import { InvalidPathError, isInside, normaliseRestoreTarget } from '../snapshots/snapshot-paths';
import { parseSnapshotRef, SnapshotRefs } from '../snapshots/snapshot-refs';

export const MAX_PATTERNS = 100;
export const MAX_PATTERN_LENGTH = 4096;

/** What a restore job is asked to do; stored as the job's params. */
export interface RestoreParams {
  snapshotId: string;
  target: string;
  include: string[];
  exclude: string[];
}

export interface RestoreRequestInput {
  repository: string;
  /** any form SnapshotRefs takes: an id, a prefix, `latest`, ... */
  snapshot: string;
  target: string;
  include?: string[] | null;
  exclude?: string[] | null;
  priority?: Priority | null;
}

/** The real path of `path`, following links in the part that exists already. */
async function realPathOfExisting(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing);
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.unshift(basename(current));
      current = parent;
    }
  }
}

function patterns(list: string[] | null | undefined, what: string): string[] {
  const values = list ?? [];
  if (values.length > MAX_PATTERNS) {
    throw new InvalidPathError(`${what} takes at most ${MAX_PATTERNS} patterns`);
  }
  for (const value of values) {
    if (value.length === 0 || value.length > MAX_PATTERN_LENGTH || value.includes('\0')) {
      throw new InvalidPathError(`${what} patterns must be 1 to ${MAX_PATTERN_LENGTH} characters`);
    }
  }
  return values;
}

export function readRestoreParams(params: Record<string, unknown>): RestoreParams {
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return {
    snapshotId: typeof params.snapshotId === 'string' ? params.snapshotId : '',
    target: typeof params.target === 'string' ? params.target : '',
    include: list(params.include),
    exclude: list(params.exclude),
  };
}

/** Checks a restore request and queues it as a job. */
@Injectable()
export class RestoreService {
  constructor(
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly runner: JobRunner,
    private readonly refs: SnapshotRefs,
  ) {}

  /**
   * Throws InvalidPathError for a request that must not run, SnapshotNotFoundError for a snapshot
   * the repository does not hold; checked before anything is queued or written.
   */
  async validate(input: RestoreRequestInput): Promise<RestoreParams> {
    parseSnapshotRef(input.repository, input.snapshot);
    const target = normaliseRestoreTarget(input.target);
    if (target === '/') throw new InvalidPathError('target must not be the root folder');
    const allowed = this.config.current.restore.allowedTargets;
    if (allowed.length > 0) {
      const folders = allowed.map((a) => normaliseRestoreTarget(a));
      const lexically = folders.filter((folder) => isInside(target, folder));
      if (lexically.length === 0) {
        throw new InvalidPathError('target is not inside any of restore.allowedTargets');
      }
      // a link inside an allowed folder must not lead the restore elsewhere
      const real = await realPathOfExisting(target);
      const reals = await Promise.all(lexically.map((f) => realPathOfExisting(f)));
      if (!reals.some((folder) => isInside(real, folder))) {
        throw new InvalidPathError('target leads outside restore.allowedTargets through a link');
      }
    }
    const include = patterns(input.include, 'include');
    const exclude = patterns(input.exclude, 'exclude');
    if (include.length > 0 && exclude.length > 0) {
      // restic 0.14 refuses the combination ("mutually exclusive")
      throw new InvalidPathError('give include or exclude patterns, not both');
    }
    const snapshot = await this.refs.resolve(input.repository, input.snapshot);
    return { snapshotId: snapshot.id, target, include, exclude };
  }

  async request(input: RestoreRequestInput, trigger: JobTrigger): Promise<Job> {
    this.repositories.get(input.repository);
    const params = await this.validate(input);
    return this.runner.enqueue({
      operation: 'restore',
      repository: input.repository,
      trigger,
      priority: input.priority ?? PRIORITY.superior,
      params: { ...params },
    });
  }
}
