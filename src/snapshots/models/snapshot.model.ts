import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../common/graphql/connection';
import { Node } from '../../common/graphql/node.interface';
import { DateTime } from '../../common/graphql/scalars';

@ObjectType('Snapshot', { implements: () => [Node], description: 'one restic snapshot' })
export class SnapshotModel implements Node {
  @Field(() => ID, { description: 'global id (`Snapshot:<repository>:<full id>`)' })
  id!: string;

  @Field({ description: "restic's full 64-hex id" })
  snapshotId!: string;

  @Field({ description: "restic's short id (the first 8 hex digits)" })
  shortId!: string;

  @Field({ description: 'the repository holding it, by name' })
  repositoryName!: string;

  @Field(() => DateTime, { description: 'when it was taken' })
  time!: string;

  @Field({ description: 'the host it was taken on' })
  hostname!: string;

  @Field(() => String, { nullable: true, description: 'the user who took it' })
  username!: string | null;

  @Field(() => [String], { description: 'the paths it holds' })
  paths!: string[];

  @Field(() => [String], { description: 'its tags, `backup=<name>` among them' })
  tags!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'the backup definition that made it, by name (from its `backup=` tag)',
  })
  backupName!: string | null;
}

@ObjectType({ description: 'a page of snapshots' })
export class SnapshotConnection extends Connection(SnapshotModel, 'Snapshot', 'snapshot') {}
