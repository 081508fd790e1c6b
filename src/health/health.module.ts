import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { HealthController } from './health.controller';
import { DiskSpace } from './disk-space';
import { HealthService } from './health.service';

/** `/health/live` and `/health/ready`. */
@Module({
  imports: [StateModule],
  controllers: [HealthController],
  providers: [HealthService, DiskSpace],
  exports: [DiskSpace],
})
export class HealthModule {}
