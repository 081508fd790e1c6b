import { Injectable, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HEN_CONFIG } from './config.constants';
import type { HenConfig } from './config.types';
import { ConfigModule } from './config.module';

@Injectable()
class NeedsConfig {
  constructor(@Inject(HEN_CONFIG) readonly config: HenConfig) {}
}

// A module that does not import ConfigModule: the config must reach it because the module is global.
@Module({ providers: [NeedsConfig] })
class ConsumerModule {}

describe('ConfigModule', () => {
  it('provides the given config to every module', async () => {
    const config = { hostname: 'test-host' } as HenConfig;

    @Module({ imports: [ConfigModule.forConfig(config), ConsumerModule] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      expect(app.get(HEN_CONFIG)).toBe(config);
      expect(app.get(NeedsConfig).config).toBe(config);
    } finally {
      await app.close();
    }
  });
});
