import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { BackupJobsResolver } from '../backups/backup-jobs.resolver';
import { BackupsResolver } from '../backups/backups.resolver';
import { ConfigReloadResolver } from './config-reload.resolver';
import { DownloadsResolver } from '../downloads/downloads.resolver';
import { JobLogEntryFieldsResolver, JobsResolver } from '../jobs/jobs.resolver';
import {
  JobRepositoryResolver,
  JobStepRepositoryResolver,
} from '../repositories/job-repository.resolver';
import { SnapshotsResolver } from '../snapshots/snapshots.resolver';
import { RepositoryStateResolver } from '../repositories/repository-state.resolver';
import { SnapshotOrphanResolver } from '../snapshots/snapshot-orphan.resolver';
import { JobBackupResolver, SnapshotBackupResolver } from '../backups/backup-relations.resolver';
import { JobProgressResolver } from '../jobs/job-progress.resolver';
import { JobSubscriptionsResolver } from '../jobs/job-subscriptions.resolver';
import { StatusBackupsResolver } from '../metrics/status-backups.resolver';
import { RepositoriesResolver } from '../repositories/repositories.resolver';
import { RepositoryJobsResolver } from '../repositories/repository-jobs.resolver';
import { RepositorySnapshotsResolver } from '../snapshots/repository-snapshots.resolver';
import { SnapshotForgetResolver } from '../snapshots/snapshot-forget.resolver';
import { RestoreResolver } from '../restores/restore.resolver';
import { SnapshotBrowserResolver } from '../snapshots/snapshot-browser.resolver';
import {
  BackupScheduleResolver,
  RepositoryScheduleResolver,
} from '../triggers/schedule-fields.resolver';
import { NodeResolver } from './node.resolver';
import { NotificationsResolver } from '../notifications/notifications.resolver';
import { describeRootTypes } from './root-type-descriptions';
import { StatusResolver } from '../metrics/status.resolver';
import { SnapshotIndexResolver } from '../snapshot-index/snapshot-index.resolver';
import { SnapshotIndexInfoResolver } from '../snapshots/snapshot-index-info.resolver';
import { PathVersionSnapshotResolver } from '../snapshots/path-version-snapshot.resolver';

/** Every resolver class the API serves; the end-to-end tests check the live schema matches. */
export const API_RESOLVERS = [
  StatusResolver,
  BackupsResolver,
  BackupJobsResolver,
  RepositoriesResolver,
  RepositoryJobsResolver,
  JobsResolver,
  JobProgressResolver,
  JobSubscriptionsResolver,
  DownloadsResolver,
  BackupScheduleResolver,
  RepositoryScheduleResolver,
  StatusBackupsResolver,
  SnapshotBrowserResolver,
  RestoreResolver,
  ConfigReloadResolver,
  NodeResolver,
  JobLogEntryFieldsResolver,
  SnapshotsResolver,
  JobRepositoryResolver,
  JobStepRepositoryResolver,
  JobBackupResolver,
  SnapshotBackupResolver,
  NotificationsResolver,
  RepositoryStateResolver,
  SnapshotOrphanResolver,
  SnapshotIndexResolver,
  SnapshotIndexInfoResolver,
  PathVersionSnapshotResolver,
  RepositorySnapshotsResolver,
  SnapshotForgetResolver,
];

export const SCHEMA_HEADER =
  '# Generated from the resolvers by `npm run schema`. Do not edit by hand.\n\n';

export function schemaText(schema: GraphQLSchema): string {
  return SCHEMA_HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}

export async function buildSchemaText(): Promise<string> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  await app.init();
  try {
    const schema = describeRootTypes(await app.get(GraphQLSchemaFactory).create(API_RESOLVERS));
    return schemaText(schema);
  } finally {
    await app.close();
  }
}
