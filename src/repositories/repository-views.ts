import type { RepositoryConfig } from '../config/config.types';
import { globalId } from '../common/graphql/global-id';
import type { ResticSnapshot } from '../restic/restic.types';
import { maskLocation } from './mask-location';
import type { RepositoryModel } from './models/repository.model';
import type { SnapshotEntryModel } from './models/snapshot-entry.model';
import type { SnapshotModel } from './models/snapshot.model';
import { backendOf } from '../config/provider-env';
import { childPath } from './snapshot-paths';
import type { ListedEntry } from './snapshot-listing';
import { backupOf } from './snapshots.service';

export function toRepositoryModel(repository: RepositoryConfig): RepositoryModel {
  return {
    id: globalId('Repository', repository.name),
    name: repository.name,
    configured: true,
    location: maskLocation(repository.location),
    backend: backendOf(repository.location),
    inline: repository.inline,
  };
}

/** A repository old jobs or snapshots name but the configuration no longer holds. */
export function unconfiguredRepository(name: string): RepositoryModel {
  return {
    id: globalId('Repository', name),
    name,
    configured: false,
    location: null,
    backend: null,
    inline: false,
  };
}

export function toSnapshotModel(repository: string, s: ResticSnapshot): SnapshotModel {
  return {
    id: globalId('Snapshot', repository, s.id),
    snapshotId: s.id,
    shortId: s.shortId,
    repositoryName: repository,
    time: s.time,
    hostname: s.hostname,
    username: s.username ?? null,
    paths: s.paths,
    tags: s.tags,
    backupName: backupOf(s),
  };
}

export function toSnapshotEntryModel(
  repository: string,
  snapshotId: string,
  folder: string,
  entry: ListedEntry,
): SnapshotEntryModel {
  const path = childPath(folder, entry.name);
  return { ...entry, path, id: globalId('SnapshotEntry', repository, snapshotId, path) };
}
