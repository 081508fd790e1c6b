import { globalId } from '../common/graphql/global-id';
import type { ResticSnapshot } from '../restic/restic.types';
import type { SnapshotEntryModel } from './models/snapshot-entry.model';
import type { SnapshotModel } from './models/snapshot.model';
import { childPath } from './snapshot-paths';
import type { ListedEntry } from './listed-entry';
import { backupOf } from './snapshots.service';

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
  return {
    ...entry,
    totalSize: entry.totalSize ?? null,
    fileCount: entry.fileCount ?? null,
    path,
    id: globalId('SnapshotEntry', repository, snapshotId, path),
  };
}
