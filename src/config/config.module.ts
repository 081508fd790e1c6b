import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HEN_CONFIG } from './config.constants';
import type { HenConfig } from './config.types';

/**
 * Makes the loaded config injectable everywhere. Loading happens before Nest starts (in main), so
 * that a bad file is reported plainly rather than as a failed provider.
 */
@Global()
@Module({})
export class ConfigModule {
  static forConfig(config: HenConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: HEN_CONFIG, useValue: config }],
      exports: [HEN_CONFIG],
    };
  }
}
