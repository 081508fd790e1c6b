import { Module } from '@nestjs/common';
import { AuthModule } from '../common/auth/auth.module';
import { BackupsModule } from '../backups/backups.module';
import { HealthModule } from '../health/health.module';
import { JobsModule } from '../jobs/jobs.module';
import { TriggersModule } from '../triggers/triggers.module';
import { BackupStatuses } from './backup-statuses';
import { DiskSpaceGauge } from './disk-space-gauge';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { NotificationMetrics } from './notification-metrics';
import { NotificationsModule } from '../notifications/notifications.module';
import { SnapshotIndexModule } from '../snapshot-index/snapshot-index.module';
import { SnapshotIndexGauge } from './snapshot-index-gauge';
import { StatusResolver } from './status.resolver';
import { StatusService } from './status.service';
import { StatusBackupsResolver } from './status-backups.resolver';

/** `/metrics` for Prometheus, and the per-backup summary of the `status` query. */
@Module({
  imports: [
    JobsModule,
    TriggersModule,
    AuthModule,
    HealthModule,
    BackupsModule,
    NotificationsModule,
    SnapshotIndexModule,
  ],
  controllers: [MetricsController],
  providers: [
    StatusService,
    StatusResolver,
    MetricsService,
    StatusBackupsResolver,
    BackupStatuses,
    DiskSpaceGauge,
    NotificationMetrics,
    SnapshotIndexGauge,
  ],
  exports: [MetricsService],
})
export class MetricsModule {}
