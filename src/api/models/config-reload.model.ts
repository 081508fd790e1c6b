import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('ConfigIssue', { description: 'one problem in a configuration file, at its key path' })
export class ConfigIssueModel {
  @Field({ description: 'e.g. `backups.pictures.schedules[1]`, or `(root)` for the whole file' })
  path!: string;

  @Field()
  message!: string;
}

@ObjectType('NameChanges', { description: 'definitions a reload added, removed or changed' })
export class NameChangesModel {
  @Field(() => [String])
  added!: string[];

  @Field(() => [String])
  removed!: string[];

  @Field(() => [String], { description: 'kept, with at least one setting changed' })
  changed!: string[];
}

@ObjectType('ConfigReload')
export class ConfigReloadModel {
  @Field({
    description:
      'true when the file was valid and is now in force; false when it was refused and the previous configuration stays',
  })
  reloaded!: boolean;

  @Field({ description: 'the configuration file that was read' })
  source!: string;

  @Field(() => [ConfigIssueModel], { description: 'why the file was refused; empty when reloaded' })
  issues!: ConfigIssueModel[];

  @Field(() => NameChangesModel)
  backups!: NameChangesModel;

  @Field(() => NameChangesModel)
  repositories!: NameChangesModel;
}
