import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { connectionOf, decodeCursor, encodeCursor, PageArgs, pageSize } from '../api/connection';
import { badUserInput, notFound } from '../api/graphql-errors';
import type { RepositoryConfig } from '../config/config.types';
import type { ResticSnapshot } from '../restic/restic.types';
import { JobStore } from '../jobs/job-store';
import { JobModel } from '../jobs/job.model';
import type { Job } from '../jobs/job.types';
import { maskLocation } from './mask-location';
import { backendOf } from './provider-env';
import { RepositoriesService } from './repositories.service';
import { RepositoryModel, SnapshotConnection, type SnapshotModel } from './repository.model';
import { backupOf, SnapshotsService } from './snapshots.service';

export function toSnapshotModel(repository: string, s: ResticSnapshot): SnapshotModel {
  return {
    repository,
    id: s.id,
    shortId: s.shortId,
    time: s.time,
    hostname: s.hostname,
    username: s.username ?? null,
    paths: s.paths,
    tags: s.tags,
    backup: backupOf(s),
  };
}

function timeArg(name: string, value: string | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const time = value.length <= 64 ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw badUserInput(`${name} must be an ISO 8601 time`);
  return time;
}

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
    @Args('host', { type: () => String, nullable: true, description: 'made on this host' })
    host?: string | null,
    @Args('tag', { type: () => String, nullable: true, description: 'carrying this tag' })
    tag?: string | null,
    @Args('takenAfter', {
      type: () => String,
      nullable: true,
      description: 'taken at or after this ISO 8601 time',
    })
    takenAfter?: string | null,
    @Args('takenBefore', {
      type: () => String,
      nullable: true,
      description: 'taken before this ISO 8601 time',
    })
    takenBefore?: string | null,
  ): Promise<SnapshotConnection> {
    if (!this.repositoriesService.find(repository)) {
      throw notFound(`no repository named "${repository.slice(0, 100)}"`);
    }
    const first = pageSize(page.first);
    const after = decodeCursor('snapshot', page.after);
    for (const [name, value] of [
      ['host', host],
      ['tag', tag],
    ] as const) {
      if (value !== undefined && value !== null && (value === '' || value.length > 255)) {
        throw badUserInput(`${name} must be 1 to 255 characters`);
      }
    }
    if (tag?.includes(',')) throw badUserInput('tag must not contain a comma');
    const from = timeArg('takenAfter', takenAfter);
    const until = timeArg('takenBefore', takenBefore);
    const all = (
      await this.snapshotsService.list(repository, {
        backup: backup ?? undefined,
        host: host ?? undefined,
        tags: tag ? [tag] : undefined,
      })
    ).filter((s) => {
      const time = Date.parse(s.time);
      return (from === undefined || time >= from) && (until === undefined || time < until);
    });
    let start = 0;
    if (after !== undefined) {
      const index = all.findIndex((s) => s.id === after);
      if (index < 0) throw badUserInput('after names a snapshot that is not in this list');
      start = index + 1;
    }
    const nodes: SnapshotModel[] = all
      .slice(start, start + first)
      .map((s) => toSnapshotModel(repository, s));
    return connectionOf(nodes, start + first < all.length, (s) => encodeCursor('snapshot', s.id));
  }
}
