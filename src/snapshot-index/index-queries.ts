import { Injectable } from '@nestjs/common';
import {
  connectionOf,
  decodeCursor,
  encodeCursor,
  pageWindow,
  type ConnectionShape,
} from '../common/graphql/connection';
import { globalId } from '../common/graphql/global-id';
import { LiveConfig } from '../config/live-config';
import { RepositoriesService } from '../repositories/repositories.service';
import type { IndexScopeArgs, IndexSearchArgs, PathHistoryArgs } from './dto/index-search.args';
import { checkPrefix, checkRange, IndexQueryError, nameMatch } from './index-query';
import type { PathVersions, SearchKey } from './index-search';
import type { IndexedEntryType, IndexedPathModel } from './models/indexed-path.model';
import type { SnapshotIndexStatusModel } from './models/snapshot-index-status.model';
import { SnapshotIndexService, type IndexScope } from './snapshot-index.service';

const CURSOR = 'indexed-path';
const PREFIX = /^[0-9a-f]{8,64}$/;

export const toIndexedPathModel = (found: PathVersions): IndexedPathModel => ({
  id: globalId('IndexedPath', found.repository, found.path),
  repositoryName: found.repository,
  path: found.path,
  name: found.name,
  versions: found.versions.map((v) => ({ ...v, type: v.type as IndexedEntryType | null })),
});

/** The API's questions to the snapshot index: input checked, answers shaped. */
@Injectable()
export class SnapshotIndexQueries {
  constructor(
    private readonly index: SnapshotIndexService,
    private readonly repositories: RepositoriesService,
    private readonly config: LiveConfig,
  ) {}

  scope(args: IndexScopeArgs): IndexScope {
    const scope: IndexScope = { taken: checkRange(args.taken, 'taken') };
    if (args.repository != null) {
      this.repositories.get(args.repository);
      scope.repository = args.repository;
    }
    if (args.backup != null) scope.backup = args.backup;
    if (args.snapshot != null) {
      if (scope.repository === undefined) throw new IndexQueryError('snapshot needs repository');
      const prefix = args.snapshot.trim().toLowerCase();
      if (!PREFIX.test(prefix)) {
        throw new IndexQueryError('snapshot must be 8 to 64 hexadecimal characters');
      }
      const matches = this.index
        .scoped({ repository: scope.repository })
        .filter((row) => row.snapshotId.startsWith(prefix));
      if (matches.length > 1)
        throw new IndexQueryError(`snapshot "${prefix}" names several snapshots`);
      // an unknown or unindexed snapshot searches nothing (Snapshot.index tells which)
      scope.snapshotId = matches[0]?.snapshotId ?? prefix.padEnd(64, '-');
    }
    return scope;
  }

  search(scopeArgs: IndexScopeArgs, args: IndexSearchArgs): ConnectionShape<IndexedPathModel> {
    const scope = this.scope(scopeArgs);
    const window = pageWindow(args, (cursor, argument) => this.decode(cursor, argument), 50);
    if (window.fromEnd || window.before !== undefined) {
      throw new IndexQueryError('search pages forwards only: use first and after');
    }
    const filter = {
      match: nameMatch(args.name, args.glob),
      under: checkPrefix(args.under),
      size: checkRange(args.size, 'size'),
      mtime: checkRange(args.modified, 'modified'),
    };
    const page = this.index.search(scope, filter, window.size, window.after);
    const nodes = page.items.map((item) => ({ ...toIndexedPathModel(item), key: item.key }));
    const shape = connectionOf(
      nodes,
      {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: window.after !== undefined,
        totalCount: page.totalCount as number,
      },
      (node) => encodeCursor(CURSOR, `${node.key.nameId}:${node.key.pathHash}`),
    );
    return shape;
  }

  private decode(cursor: string, argument: string): SearchKey {
    const match = /^([1-9]\d{0,14}):([\w-]{16})$/.exec(decodeCursor(CURSOR, cursor, argument));
    if (!match) throw new IndexQueryError(`${argument} is not a valid cursor for this list`);
    return { nameId: Number(match[1]), pathHash: match[2] };
  }

  history(args: PathHistoryArgs): IndexedPathModel[] {
    const normal = checkPrefix(args.path);
    if (normal === undefined) throw new IndexQueryError('path must name a file or folder, not /');
    return this.index.history(this.scope(args), normal).map(toIndexedPathModel);
  }

  status(): SnapshotIndexStatusModel {
    const totals = this.index.totals();
    return {
      bytes: totals.bytes,
      maxSize: this.config.current.index?.maxSizeBytes ?? null,
      indexedSnapshots: totals.indexed,
      evictedSnapshots: totals.snapshots - totals.indexed,
      repositories: [...this.index.perRepository()].map(([repositoryName, part]) => ({
        repositoryName,
        bytes: part.bytes,
        indexedSnapshots: part.indexed,
      })),
    };
  }
}
