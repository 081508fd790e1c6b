import { Global, Module } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { Clock } from './clock';
import { RuntimeInfo } from './runtime-info';
import { LogLevelFollower } from './log-level-follower';
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
export class CommonModule {}
