import { Module } from '@nestjs/common';
import { AuthModule } from '../api/auth/auth.module';
import { BackupsModule } from '../backups/backups.module';
import { HealthModule } from '../health/health.module';
import { JobsModule } from '../jobs/jobs.module';
import { TriggersModule } from '../triggers/triggers.module';
import { BackupStatuses } from './backup-statuses';
import { DiskSpaceGauge } from './disk-space-gauge';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { StatusBackupsResolver } from './status-backups.resolver';

/** `/metrics` for Prometheus, and the per-backup summary of the `status` query. */
@Module({
  imports: [JobsModule, TriggersModule, AuthModule, HealthModule, BackupsModule],
  controllers: [MetricsController],
  providers: [MetricsService, StatusBackupsResolver, BackupStatuses, DiskSpaceGauge],
  exports: [MetricsService],
})
export class MetricsModule {}
