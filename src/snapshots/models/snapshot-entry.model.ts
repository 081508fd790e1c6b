import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { domainEnum } from '../../common/graphql/domain-enum';
import { Connection } from '../../common/graphql/connection';
import { Node } from '../../common/graphql/node.interface';
import { DateTime, SafeInt } from '../../common/graphql/scalars';
import type { SnapshotEntryType } from '../listed-entry';

export const SnapshotEntryTypeEnum = domainEnum<SnapshotEntryType>(
  ['file', 'dir', 'symlink', 'other'],
  'SnapshotEntryType',
  'what an entry of a snapshot is',
  {
    file: 'a regular file',
    dir: 'a folder',
    symlink: 'a symbolic link',
    other: 'a device, socket or pipe',
  },
);

@ObjectType('SnapshotEntry', {
  implements: () => [Node],
  description: 'a file, folder or link inside a snapshot',
})
export class SnapshotEntryModel implements Node {
  @Field(() => ID, { description: 'global id (`SnapshotEntry:<repository>:<snapshot id>:<path>`)' })
  id!: string;

  @Field({ description: 'its name in its folder' })
  name!: string;

  @Field({ description: 'absolute path inside the snapshot' })
  path!: string;

  @Field(() => SnapshotEntryTypeEnum, { description: 'what it is' })
  type!: SnapshotEntryType;

  @Field(() => SafeInt, { description: 'bytes; 0 for anything but files' })
  size!: number;

  @Field(() => DateTime, { description: 'when it was last modified' })
  mtime!: string;

  @Field(() => Int, { description: 'unix permission bits, e.g. 420 (0644)' })
  mode!: number;

  @Field(() => SafeInt, {
    nullable: true,
    description:
      'for a folder of an indexed snapshot: bytes of every file below it, at any depth; null otherwise',
  })
  totalSize!: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'for a folder of an indexed snapshot: files below it, at any depth; null otherwise',
  })
  fileCount!: number | null;
}

@ObjectType({ description: 'a page of the entries of one folder of a snapshot' })
export class SnapshotEntryConnection extends Connection(
  SnapshotEntryModel,
  'SnapshotEntry',
  'folder entry',
) {
  @Field({ description: 'the folder listed, normalised' })
  path!: string;
}
