import { Field, Float, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Connection } from '../api/connection';
import { PriorityScalar } from '../api/priority.scalar';
import type { Priority } from '../config/priority';
import type { SnapshotEntryType } from './snapshot-listing';

export const SnapshotEntryTypeEnum: Record<string, SnapshotEntryType> = {
  FILE: 'file',
  DIR: 'dir',
  SYMLINK: 'symlink',
  OTHER: 'other',
};
registerEnumType(SnapshotEntryTypeEnum, { name: 'SnapshotEntryType' });

export const StatsModeEnum = { RESTORE_SIZE: 'restore-size', RAW_DATA: 'raw-data' } as const;
registerEnumType(StatsModeEnum, {
  name: 'StatsMode',
  valuesMap: {
    RESTORE_SIZE: { description: 'what restoring every snapshot would write (restic default)' },
    RAW_DATA: { description: 'the deduplicated data the repository stores' },
  },
});

@ObjectType('SnapshotStatistics', {
  description:
    "`restic stats --mode=restore-size` of one snapshot (one walk of the snapshot's tree)",
})
export class SnapshotStatisticsModel {
  @Field(() => Float, { description: 'bytes of the files, as restoring would write them' })
  size!: number;

  @Field(() => Float, { description: 'files, folders and links in the snapshot' })
  fileCount!: number;
}

@ObjectType('SnapshotEntry')
export class SnapshotEntryModel {
  @Field()
  name!: string;

  @Field({ description: 'absolute path inside the snapshot' })
  path!: string;

  @Field(() => SnapshotEntryTypeEnum)
  type!: SnapshotEntryType;

  @Field(() => Float, { description: 'bytes; 0 for anything but files' })
  size!: number;

  @Field()
  mtime!: string;

  @Field(() => Int, { description: 'unix permission bits, e.g. 420 (0644)' })
  mode!: number;
}

@ObjectType()
export class SnapshotEntryConnection extends Connection(SnapshotEntryModel, 'SnapshotEntry') {
  @Field(() => Int, { description: 'entries in the whole folder' })
  totalCount!: number;

  @Field({ description: 'the folder listed, normalised' })
  path!: string;
}

@ObjectType('SnapshotDiffTotals')
export class SnapshotDiffTotalsModel {
  @Field(() => Int)
  added!: number;

  @Field(() => Int)
  removed!: number;

  @Field(() => Int)
  changed!: number;

  @Field(() => Float, { description: "bytes of data only the newer snapshot has (restic's blobs)" })
  addedBytes!: number;

  @Field(() => Float, { description: "bytes of data only the older snapshot has (restic's blobs)" })
  removedBytes!: number;
}

@ObjectType('SnapshotDiff')
export class SnapshotDiffModel {
  @Field(() => [String], { description: 'paths only in `to` (folders end with /)' })
  added!: string[];

  @Field(() => [String], { description: 'paths only in `from`' })
  removed!: string[];

  @Field(() => [String], { description: 'paths whose content or type changed' })
  changed!: string[];

  @Field(() => SnapshotDiffTotalsModel, { description: 'complete counts, whatever the limit' })
  totals!: SnapshotDiffTotalsModel;

  @Field({ description: 'whether a path list was cut at `limit`' })
  truncated!: boolean;
}

@ObjectType('RepositoryStats')
export class RepositoryStatsModel {
  @Field(() => Float)
  totalSize!: number;

  @Field(() => Float, { description: 'restore-size: every node of every snapshot; raw-data: 0' })
  totalFileCount!: number;

  @Field(() => Int)
  snapshotsCount!: number;

  @Field(() => StatsModeEnum)
  mode!: string;
}

@InputType()
export class RestoreSnapshotInput {
  @Field()
  repository!: string;

  @Field({ description: 'full id or a prefix of 8 or more hex characters' })
  snapshotId!: string;

  @Field({
    description:
      'absolute folder; restic recreates the snapshot paths below it. Must be inside restore.allowedTargets when that is set',
  })
  target!: string;

  @Field(() => [String], { nullable: true, description: 'restic --include patterns' })
  include?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'restic --exclude patterns' })
  exclude?: string[] | null;

  @Field(() => PriorityScalar, { nullable: true, description: 'default superior' })
  priority?: Priority | null;
}
