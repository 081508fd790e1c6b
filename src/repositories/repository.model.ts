import { Field, ObjectType } from '@nestjs/graphql';
import { Connection } from '../api/connection';

@ObjectType('Repository')
export class RepositoryModel {
  @Field()
  name!: string;

  @Field({ description: 'restic location, credentials masked' })
  location!: string;

  @Field({ description: 'local, sftp, rest, s3, swift, b2, azure, gs or rclone' })
  backend!: string;

  @Field({ description: 'declared inside a backup definition' })
  inline!: boolean;
}

@ObjectType('Snapshot')
export class SnapshotModel {
  @Field({ description: 'the repository holding it' })
  repository!: string;

  @Field({ description: 'full 64-hex id' })
  id!: string;

  @Field()
  shortId!: string;

  @Field()
  time!: string;

  @Field()
  hostname!: string;

  @Field(() => String, { nullable: true })
  username!: string | null;

  @Field(() => [String])
  paths!: string[];

  @Field(() => [String])
  tags!: string[];

  @Field(() => String, { nullable: true, description: 'the backup definition that made it' })
  backup!: string | null;
}

@ObjectType()
export class SnapshotConnection extends Connection(SnapshotModel, 'Snapshot') {}
