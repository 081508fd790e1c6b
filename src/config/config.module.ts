import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigReloader } from './config-reloader.service';
import { CONFIG_LOADER } from './config.constants';
import type { HenConfig } from './config.types';
import { type ListenerScope, LiveConfig } from './live-config';

/**
 * Makes the configuration in force (LiveConfig) injectable everywhere, and the reloader that
 * replaces it. Loading happens before Nest starts (in main), so that a bad file is reported plainly
 * rather than as a failed provider; `load` reads the file again on reload, with the same command
 * line overrides.
 */
@Global()
@Module({})
export class ConfigModule {
  static forConfig(
    config: HenConfig,
    load: () => HenConfig = () => config,
    listenerScope?: ListenerScope,
  ): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: LiveConfig, useValue: new LiveConfig(config, listenerScope) },
        { provide: CONFIG_LOADER, useValue: load },
        ConfigReloader,
      ],
      exports: [LiveConfig, ConfigReloader],
    };
  }
}
