import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Node } from '../../common/graphql/node.interface';
import { PriorityScalar } from '../../common/graphql/priority.scalar';

@ObjectType('Backup', {
  implements: () => [Node],
  description: 'a backup definition: what to back up, where, and when',
})
export class BackupModel implements Node {
  @Field(() => ID, { description: 'global id (`Backup:<name>`)' })
  id!: string;

  @Field({ description: 'its name in the configuration' })
  name!: string;

  @Field({
    description:
      'false for a definition that old jobs or snapshots name but the configuration no longer holds; its settings are then empty',
  })
  configured!: boolean;

  @Field(() => [String], { description: 'the paths it backs up' })
  paths!: string[];

  @Field(() => [String], { description: 'exclude patterns' })
  excludes!: string[];

  @Field(() => [String], { description: 'as written: units like 1d, or cron expressions' })
  schedules!: string[];

  @Field(() => PriorityScalar, {
    nullable: true,
    description: 'the priority its backups queue with',
  })
  priority!: number | null;

  @Field({ description: 'watches its paths for changes' })
  watched!: boolean;

  @Field(() => [String], { description: 'the repositories it backs up to, by name' })
  repositoryNames!: string[];
}
