import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../common/graphql/connection';
import { domainEnum } from '../../common/graphql/domain-enum';
import { Node } from '../../common/graphql/node.interface';
import { DateTime, SafeInt } from '../../common/graphql/scalars';

export type IndexedEntryType = 'file' | 'dir' | 'symlink' | 'other';

export const IndexedEntryTypeEnum = domainEnum<IndexedEntryType>(
  ['file', 'dir', 'symlink', 'other'],
  'IndexedEntryType',
  'what a path of the snapshot index is in one version',
  {
    file: 'a regular file',
    dir: 'a folder',
    symlink: 'a symbolic link',
    other: 'a device, socket or pipe',
  },
);

@ObjectType('PathVersion', {
  description:
    'one state of a path, from the first snapshot (in time order) that holds it so, for as many snapshots as keep it',
})
export class PathVersionModel {
  /** the repository holding the snapshot (for PathVersion.snapshot; the path's item names it) */
  repository!: string;

  @Field({ description: "the first snapshot holding this version: restic's full 64-hex id" })
  snapshotId!: string;

  @Field(() => DateTime, { description: 'when that snapshot was taken' })
  snapshotTime!: string;

  @Field({
    description:
      'whether the path exists in this version; false: it was deleted (or renamed away) in that snapshot',
  })
  present!: boolean;

  @Field(() => IndexedEntryTypeEnum, {
    nullable: true,
    description: 'what it is; null when absent',
  })
  type!: IndexedEntryType | null;

  @Field(() => SafeInt, {
    nullable: true,
    description: 'bytes (0 for anything but files); null when absent',
  })
  size!: number | null;

  @Field(() => DateTime, {
    nullable: true,
    description: 'when it was last modified; null when absent',
  })
  mtime!: string | null;

  @Field(() => Int, { nullable: true, description: 'unix permission bits; null when absent' })
  mode!: number | null;

  @Field(() => Int, {
    description: 'consecutive snapshots (in time order) holding this same version',
  })
  snapshots!: number;
}

@ObjectType('IndexedPath', {
  implements: () => [Node],
  description:
    'a path of one repository as the snapshot index knows it, with the versions its snapshots hold',
})
export class IndexedPathModel implements Node {
  @Field(() => ID, { description: 'global id (`IndexedPath:<repository>:<path>`)' })
  id!: string;

  @Field({ description: 'the repository, by name' })
  repositoryName!: string;

  @Field({ description: 'absolute path inside the snapshots' })
  path!: string;

  @Field({ description: 'its last part' })
  name!: string;

  @Field(() => [PathVersionModel], {
    description: 'the versions, oldest first: a new one wherever type, size, mtime or mode changed',
  })
  versions!: PathVersionModel[];
}

@ObjectType('IndexedPathConnection', { description: 'a page of paths found in the snapshot index' })
export class IndexedPathConnection extends Connection(IndexedPathModel, 'IndexedPath', 'path') {
  @Field(() => Int, {
    nullable: true,
    description:
      'paths in the whole answer, when this page reaches its end from the start; null while more ' +
      'follow (counting them would read every match of a broad pattern)',
  })
  declare totalCount: number;
}
