import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { ApiModule } from './api/api.module';
import { PubSubModule } from './common/graphql/pubsub.module';
import { AppStartup } from './app-startup.service';
import { BackupsModule } from './backups/backups.module';
import { CommonModule } from './common/common.module';
import { outsideRequest } from './common/outside-request';
import { loggerOptions } from './common/logger-options';
import { SecretScrubber } from './common/secret-scrubber';
import { ConfigModule } from './config/config.module';
import { LiveConfig } from './config/live-config';
import type { HenConfig } from './config/config.types';
import { DownloadsModule } from './downloads/downloads.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { RepositoriesModule } from './repositories/repositories.module';
import { SnapshotIndexModule } from './snapshot-index/snapshot-index.module';
import { ResticServiceModule } from './repositories/restic-service.module';
import { RestoresModule } from './restores/restores.module';
import { SnapshotsModule } from './snapshots/snapshots.module';
import { TriggersModule } from './triggers/triggers.module';

@Module({})
export class AppModule {
  static forConfig(config: HenConfig, load?: () => HenConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config, load, outsideRequest),
        // Triggers ask for jobs by events; named timers are listed in the SchedulerRegistry.
        EventEmitterModule.forRoot(),
        ScheduleModule.forRoot(),
        CommonModule,
        LoggerModule.forRootAsync({
          inject: [LiveConfig, SecretScrubber],
          useFactory: (live: LiveConfig, scrubber: SecretScrubber) =>
            loggerOptions(live.current, scrubber),
        }),
        PubSubModule,
        ResticServiceModule,
        JobsModule,
        RepositoriesModule,
        SnapshotIndexModule,
        SnapshotsModule,
        RestoresModule,
        BackupsModule,
        TriggersModule,
        NotificationsModule,
        ApiModule,
        DownloadsModule,
        MetricsModule,
        HealthModule,
      ],
      providers: [AppStartup],
    };
  }
}
