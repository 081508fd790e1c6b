import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { connectionOf, decodeCursor, encodeCursor, PageArgs, pageSize } from '../api/connection';
import { badUserInput, notFound } from '../api/graphql-errors';
import type { RepositoryConfig } from '../config/config.types';
import { JobStore } from '../jobs/job-store';
import { JobModel } from '../jobs/job.model';
import type { Job } from '../jobs/job.types';
import { maskLocation } from './mask-location';
import { backendOf } from './provider-env';
import { RepositoriesService } from './repositories.service';
import { RepositoryModel, SnapshotConnection, type SnapshotModel } from './repository.model';
import { backupOf, SnapshotsService } from './snapshots.service';

export function toRepositoryModel(repository: RepositoryConfig): RepositoryModel {
  return {
    name: repository.name,
    location: maskLocation(repository.location),
    backend: backendOf(repository.location),
    inline: repository.inline,
  };
}

@Resolver(() => RepositoryModel)
export class RepositoriesResolver {
  constructor(
    private readonly repositoriesService: RepositoriesService,
    private readonly snapshotsService: SnapshotsService,
    private readonly store: JobStore,
  ) {}

  @Query(() => [RepositoryModel])
  repositories(): RepositoryModel[] {
    return this.repositoriesService.list().map(toRepositoryModel);
  }

  @Query(() => RepositoryModel)
  repository(@Args('name') name: string): RepositoryModel {
    const repository = this.repositoriesService.find(name);
    if (!repository) throw notFound(`no repository named "${name.slice(0, 100)}"`);
    return toRepositoryModel(repository);
  }

  @ResolveField(() => JobModel, {
    nullable: true,
    description: 'the most recent job on this repository itself (init, check, unlock, ...)',
  })
  lastJob(@Parent() repository: RepositoryModel): Job | null {
    return this.store.lastOf({ repository: repository.name });
  }

  @Query(() => SnapshotConnection, { description: 'snapshots of a repository, newest first' })
  async snapshots(
    @Args('repository') repository: string,
    @Args() page: PageArgs,
    @Args('backup', { type: () => String, nullable: true }) backup?: string,
  ): Promise<SnapshotConnection> {
    if (!this.repositoriesService.find(repository)) {
      throw notFound(`no repository named "${repository.slice(0, 100)}"`);
    }
    const first = pageSize(page.first);
    const after = decodeCursor('snapshot', page.after);
    const all = await this.snapshotsService.list(repository, { backup: backup ?? undefined });
    let start = 0;
    if (after !== undefined) {
      const index = all.findIndex((s) => s.id === after);
      if (index < 0) throw badUserInput('after names a snapshot that is not in this list');
      start = index + 1;
    }
    const nodes: SnapshotModel[] = all.slice(start, start + first).map((s) => ({
      id: s.id,
      shortId: s.shortId,
      time: s.time,
      hostname: s.hostname,
      username: s.username ?? null,
      paths: s.paths,
      tags: s.tags,
      backup: backupOf(s),
    }));
    return connectionOf(nodes, start + first < all.length, (s) => encodeCursor('snapshot', s.id));
  }
}
