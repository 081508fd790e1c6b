import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('ConfigIssue', { description: 'one problem in a configuration file, at its key path' })
export class ConfigIssueModel {
  @Field({ description: 'e.g. `backups.pictures.schedules[1]`, or `(root)` for the whole file' })
  path!: string;

  @Field({ description: 'what is wrong there' })
  message!: string;
}

@ObjectType('NameChanges', { description: 'definitions a reload added, removed or changed' })
export class NameChangesModel {
  @Field(() => [String], { description: 'new in the file' })
  added!: string[];

  @Field(() => [String], { description: 'gone from the file' })
  removed!: string[];

  @Field(() => [String], { description: 'kept, with at least one setting changed' })
  changed!: string[];
}

@ObjectType('ConfigReload', { description: 'what a configuration reload did' })
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

  @Field(() => NameChangesModel, { description: 'backup definitions it changed' })
  backups!: NameChangesModel;

  @Field(() => NameChangesModel, { description: 'repositories it changed' })
  repositories!: NameChangesModel;
}
