import { Injectable } from '@nestjs/common';
import { PRIORITY } from '../config/priority';
import { JobRunner } from '../jobs/job-runner.service';
import type { Job, JobTrigger } from '../jobs/job.types';
import { RepositoriesService } from '../repositories/repositories.service';
import { resolveForgetIds } from './forget-request';
import { SnapshotsService } from './snapshots.service';

/** Asking to forget chosen snapshots (the forget job itself is the repositories' handler). */
@Injectable()
export class SnapshotForgetService {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly runner: JobRunner,
    private readonly snapshots: SnapshotsService,
  ) {}

  /** Queues forgetting chosen snapshots (then a prune), after checking every id; see resolveForgetIds. */
  async requestForget(
    name: string,
    ids: readonly string[],
    backup: string | null,
    trigger: JobTrigger,
  ): Promise<Job> {
    this.repositories.get(name);
    if (ids.length === 0) resolveForgetIds(ids, [], name, backup);
    const snapshots = await this.snapshots.list(name, {});
    const snapshotIds = resolveForgetIds(ids, snapshots, name, backup);
    return this.runner.enqueue({
      operation: 'forget',
      repository: name,
      trigger,
      priority: PRIORITY.next,
      params: { snapshotIds },
    });
  }
}
