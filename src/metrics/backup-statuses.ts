import { Injectable } from '@nestjs/common';
import { BackupViews } from '../backups/backup-views';
import { globalId } from '../common/graphql/global-id';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import { LiveConfig } from '../config/live-config';
import { JobStore } from '../jobs/job-store';
import { ScheduleTrigger } from '../triggers/schedule-trigger.service';
import { MetricsService } from './metrics.service';
import type { BackupStatusModel } from './models/backup-status.model';

const date = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms);

/** Each backup at a glance; also the `node(id)` fetcher of BackupStatus. */
@Injectable()
@NodeFetcherProvider()
export class BackupStatuses implements NodeFetcher {
  readonly type = 'BackupStatus';

  constructor(
    private readonly config: LiveConfig,
    private readonly store: JobStore,
    private readonly schedules: ScheduleTrigger,
    private readonly metrics: MetricsService,
    private readonly backups: BackupViews,
  ) {}

  all(): BackupStatusModel[] {
    return Object.keys(this.config.current.backups).map((name) => this.of(name));
  }

  fetch([name]: string[]): BackupStatusModel | null {
    return Object.hasOwn(this.config.current.backups, name) ? this.of(name) : null;
  }

  private of(name: string): BackupStatusModel {
    const record = this.metrics.backupRecords().backup(name);
    return {
      id: globalId('BackupStatus', name),
      name,
      backup: this.backups.backup(name),
      lastJob: this.store.lastOf({ backup: name, operations: ['backup'] }),
      lastSuccessAt: date(record?.lastSuccessAt),
      lastFailureAt: date(record?.lastFailureAt),
      nextRunAt: this.schedules.nextRunAt(`backup:${name}`),
      overdue: this.metrics.overdue(name),
    };
  }
}
