import {
  Global,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { Clock } from './clock';
import { RuntimeInfo } from './runtime-info';
import { LogLevelFollower } from './log-level-follower';
import { RequestContextRelease } from './request-context-release';
import { SecretScrubber } from './secret-scrubber';

@Global()
@Module({
  providers: [
    Clock,
    RuntimeInfo,
    LogLevelFollower,
    {
      provide: SecretScrubber,
      inject: [LiveConfig],
      useFactory: (config: LiveConfig) => {
        const scrubber = new SecretScrubber(config.current.secrets);
        // Secrets of an older configuration stay masked: old jobs' logs and restic may still show them.
        config.onChange(({ current }) => scrubber.add(current.secrets));
        return scrubber;
      },
    },
  ],
  exports: [Clock, SecretScrubber, RuntimeInfo],
})
export class CommonModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // before nestjs-pino's middleware (LoggerModule comes after CommonModule in AppModule), so a
    // request is counted before its logger is bound
    consumer.apply(RequestContextRelease).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
