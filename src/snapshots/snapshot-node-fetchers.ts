import { Injectable } from '@nestjs/common';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import type { SnapshotEntryModel } from './models/snapshot-entry.model';
import type { SnapshotModel } from './models/snapshot.model';
import { RepositoriesService } from '../repositories/repositories.service';
import { SnapshotBrowserService } from './snapshot-browser.service';
import { normaliseBrowsePath, parentOf } from './snapshot-paths';
import { toSnapshotEntryModel, toSnapshotModel } from './snapshot-views';

const FULL_ID = /^[0-9a-f]{64}$/;

@Injectable()
@NodeFetcherProvider()
export class SnapshotNodeFetcher implements NodeFetcher {
  readonly type = 'Snapshot';
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly browser: SnapshotBrowserService,
  ) {}

  async fetch([repository, id]: string[]): Promise<SnapshotModel | null> {
    if (!this.repositories.find(repository) || !FULL_ID.test(id)) return null;
    return toSnapshotModel(repository, await this.browser.snapshot(repository, id));
  }
}

@Injectable()
@NodeFetcherProvider()
export class SnapshotEntryNodeFetcher implements NodeFetcher {
  readonly type = 'SnapshotEntry';
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly browser: SnapshotBrowserService,
  ) {}

  async fetch([repository, id, path]: string[]): Promise<SnapshotEntryModel | null> {
    if (!this.repositories.find(repository) || !FULL_ID.test(id)) return null;
    const normal = normaliseBrowsePath(path);
    if (normal === '/') return null;
    const folder = parentOf(normal);
    const name = normal.slice(folder === '/' ? 1 : folder.length + 1);
    const found = await this.browser.entry(repository, id, folder, name);
    return found.entry
      ? toSnapshotEntryModel(repository, found.snapshotId, found.folder, found.entry)
      : null;
  }
}
