import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { HealthController } from './health.controller';
import { DiskSpace } from './disk-space';
import { HealthService } from './health.service';

/** `/health/live` and `/health/ready`. */
@Module({
  imports: [JobsModule],
  controllers: [HealthController],
  providers: [HealthService, DiskSpace],
  exports: [DiskSpace],
})
export class HealthModule {}
