import { Injectable } from '@nestjs/common';
import { type NodeFetcher, NodeFetcherProvider } from '../common/graphql/node-fetcher';
import { RepositoriesService } from '../repositories/repositories.service';
import { toIndexedPathModel } from './index-queries';
import type { IndexedPathModel } from './models/indexed-path.model';
import { SnapshotIndexService } from './snapshot-index.service';

@Injectable()
@NodeFetcherProvider()
export class IndexedPathNodeFetcher implements NodeFetcher {
  readonly type = 'IndexedPath';
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly index: SnapshotIndexService,
  ) {}

  fetch([repository, path]: string[]): IndexedPathModel | null {
    if (!this.repositories.find(repository) || !path.startsWith('/')) return null;
    const [found] = this.index.history({ repository }, path);
    return found ? toIndexedPathModel(found) : null;
  }
}
