import { Field, ID, ObjectType } from '@nestjs/graphql';
import { domainEnum } from '../../common/graphql/domain-enum';
import { Node } from '../../common/graphql/node.interface';
import { BACKENDS, type Backend } from '../../config/provider-env';

export const RepositoryBackendEnum = domainEnum<Backend>(
  BACKENDS,
  'RepositoryBackend',
  'the kind of storage a repository lives on',
  {
    local: 'a folder on this machine',
    sftp: 'SFTP over SSH',
    rest: "restic's REST server (or rclone serve restic)",
    s3: 'Amazon S3 or an S3-compatible store',
    swift: 'OpenStack Swift (OVH and others)',
    b2: 'Backblaze B2',
    azure: 'Azure Blob Storage',
    gs: 'Google Cloud Storage',
    rclone: 'any rclone remote',
  },
);

@ObjectType('Repository', {
  implements: () => [Node],
  description: 'a restic repository backups go to',
})
export class RepositoryModel implements Node {
  @Field(() => ID, { description: 'global id (`Repository:<name>`)' })
  id!: string;

  @Field({ description: 'its name in the configuration' })
  name!: string;

  @Field({
    description:
      'false for a repository that old jobs or snapshots name but the configuration no longer holds; its other settings are then null',
  })
  configured!: boolean;

  @Field(() => String, { nullable: true, description: 'restic location, credentials masked' })
  location!: string | null;

  @Field(() => RepositoryBackendEnum, { nullable: true, description: 'the kind of storage' })
  backend!: Backend | null;

  @Field({ description: 'declared inside a backup definition rather than under repositories' })
  inline!: boolean;
}
