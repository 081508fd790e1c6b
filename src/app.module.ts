import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ApiModule } from './api/api.module';
import { PubSubModule } from './api/pubsub.module';
import { AppStartup } from './app-startup.service';
import { BackupsModule } from './backups/backups.module';
import { CommonModule } from './common/common.module';
import { loggerOptions } from './common/logger-options';
import { SecretScrubber } from './common/secret-scrubber';
import { ConfigModule } from './config/config.module';
import { HEN_CONFIG } from './config/config.constants';
import type { HenConfig } from './config/config.types';
import { DownloadsModule } from './downloads/downloads.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { RepositoriesModule } from './repositories/repositories.module';
import { ResticModule } from './restic/restic.module';
import { TriggersModule } from './triggers/triggers.module';

@Module({})
export class AppModule {
  static forConfig(config: HenConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config),
        CommonModule,
        LoggerModule.forRootAsync({
          inject: [HEN_CONFIG, SecretScrubber],
          useFactory: loggerOptions,
        }),
        PubSubModule,
        ResticModule,
        JobsModule,
        RepositoriesModule,
        BackupsModule,
        TriggersModule,
        ApiModule,
        DownloadsModule,
        MetricsModule,
        HealthModule,
      ],
      providers: [AppStartup],
    };
  }
}
