import { Global, Module } from '@nestjs/common';
import { HEN_CONFIG } from '../config/config.constants';
import type { HenConfig } from '../config/config.types';
import { Clock } from './clock';
import { RuntimeInfo } from './runtime-info';
import { SecretScrubber } from './secret-scrubber';

@Global()
@Module({
  providers: [
    Clock,
    RuntimeInfo,
    {
      provide: SecretScrubber,
      inject: [HEN_CONFIG],
      useFactory: (config: HenConfig) => new SecretScrubber(config.secrets),
    },
  ],
  exports: [Clock, SecretScrubber, RuntimeInfo],
})
export class CommonModule {}
