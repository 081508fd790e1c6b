import { Field, ObjectType, ResolveField, Resolver } from '@nestjs/graphql';
import { StatusModel } from '../api/status.model';
import { LiveConfig } from '../config/live-config';
import { JobStore } from '../jobs/job-store';
import { JobModel } from '../jobs/job.model';
import type { Job } from '../jobs/job.types';
import { ScheduleTrigger } from '../triggers/schedule-trigger.service';
import { MetricsService } from './metrics.service';

@ObjectType('BackupStatus', { description: 'one backup at a glance, for dashboards' })
export class BackupStatusModel {
  @Field()
  name!: string;

  @Field(() => JobModel, {
    nullable: true,
    description: 'its most recent backup job (it may be queued or running)',
  })
  lastJob!: Job | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO time the last successful backup job ended',
  })
  lastSuccessAt!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO time the last failed backup job ended',
  })
  lastFailureAt!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'next scheduled backup, ISO time; null without schedules and while a run is queued or running',
  })
  nextRunAt!: string | null;

  @Field({
    description:
      'true when it has schedules and either its last success (or, never successful, when the daemon first knew of it) is older than its shortest interval I plus a grace G = max(10 min, I/2), or its next run is more than G in the past',
  })
  overdue!: boolean;
}

/** `Status.backups`: kept out of the API module because it needs the triggers and the metrics. */
@Resolver(() => StatusModel)
export class StatusBackupsResolver {
  constructor(
    private readonly config: LiveConfig,
    private readonly store: JobStore,
    private readonly schedules: ScheduleTrigger,
    private readonly metrics: MetricsService,
  ) {}

  @ResolveField(() => [BackupStatusModel], {
    description: 'every backup definition at a glance: last job, next run, overdue',
  })
  backups(): BackupStatusModel[] {
    const records = this.metrics.backupRecords();
    return Object.keys(this.config.current.backups).map((name) => {
      const record = records.backup(name);
      const iso = (ms: number | null | undefined) =>
        ms === null || ms === undefined ? null : new Date(ms).toISOString();
      return {
        name,
        lastJob: this.store.lastOf({ backup: name, operations: ['backup'] }),
        lastSuccessAt: iso(record?.lastSuccessAt),
        lastFailureAt: iso(record?.lastFailureAt),
        nextRunAt: this.schedules.nextRunAt(`backup:${name}`)?.toISOString() ?? null,
        overdue: this.metrics.overdue(name),
      };
    });
  }
}
