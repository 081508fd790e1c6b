import { Injectable } from '@nestjs/common';
import { badUserInput } from '../common/graphql/api-errors';
import {
  decodeCursor,
  encodeCursor,
  pageOfArray,
  pageOfList,
  pageWindow,
  type ConnectionShape,
  type PageArgs,
} from '../common/graphql/connection';
import { RepositoriesService } from '../repositories/repositories.service';
import type { SnapshotEntryModel } from './models/snapshot-entry.model';
import type { SnapshotModel } from './models/snapshot.model';
import { toSnapshotEntryModel, toSnapshotModel } from './snapshot-views';
import { SnapshotBrowserService } from './snapshot-browser.service';
import { SnapshotsService } from './snapshots.service';

const SNAPSHOT_CURSOR = 'snapshot';
const ENTRY_CURSOR = 'snapshotEntry';

export interface SnapshotListFilter {
  backup?: string | null;
  host?: string | null;
  tag?: string | null;
  takenAfter?: Date | null;
  takenBefore?: Date | null;
}

function checkText(name: string, value: string | null | undefined): void {
  if (value !== undefined && value !== null && (value === '' || value.length > 255)) {
    throw badUserInput(`${name} must be 1 to 255 characters`);
  }
}

/**
 * Snapshots and folder entries as connections: restic lists snapshots whole, and pages are cut
 * here; folders are read by position (from the index, page by page, when the snapshot is indexed).
 */
@Injectable()
export class SnapshotPages {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly snapshots: SnapshotsService,
    private readonly browser: SnapshotBrowserService,
  ) {}

  /** Snapshots of a repository, newest first. */
  async snapshotsOf(
    repository: string,
    filter: SnapshotListFilter,
    page: PageArgs,
  ): Promise<ConnectionShape<SnapshotModel>> {
    this.repositories.get(repository);
    checkText('host', filter.host);
    checkText('tag', filter.tag);
    if (filter.tag?.includes(',')) throw badUserInput('tag must not contain a comma');
    const window = pageWindow(page, (cursor, argument) =>
      decodeCursor(SNAPSHOT_CURSOR, cursor, argument),
    );
    const from = filter.takenAfter?.getTime();
    const until = filter.takenBefore?.getTime();
    const all = (
      await this.snapshots.list(repository, {
        backup: filter.backup ?? undefined,
        host: filter.host ?? undefined,
        tags: filter.tag ? [filter.tag] : undefined,
      })
    ).filter((s) => {
      const time = Date.parse(s.time);
      return (from === undefined || time >= from) && (until === undefined || time < until);
    });
    return pageOfArray(
      all.map((s) => toSnapshotModel(repository, s)),
      window,
      (s) => s.snapshotId,
      (s) => encodeCursor(SNAPSHOT_CURSOR, s.snapshotId),
    );
  }

  /** The direct children of a folder of a snapshot, sorted by name. */
  async entriesOf(
    repository: string,
    snapshot: string,
    path: string | null | undefined,
    page: PageArgs,
  ): Promise<ConnectionShape<SnapshotEntryModel> & { path: string }> {
    this.repositories.get(repository);
    const window = pageWindow(page, (cursor, argument) =>
      decodeCursor(ENTRY_CURSOR, cursor, argument),
    );
    return this.browser.readFolder(repository, snapshot, path, (folder) => ({
      ...pageOfList(
        {
          length: folder.length,
          indexOf: (name) => folder.indexOf(name),
          slice: (start, end) =>
            folder
              .slice(start, end)
              .map((entry) =>
                toSnapshotEntryModel(repository, folder.snapshotId, folder.folder, entry),
              ),
        },
        window,
        (entry) => encodeCursor(ENTRY_CURSOR, entry.name),
      ),
      path: folder.folder,
    }));
  }
}
