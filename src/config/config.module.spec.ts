import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { HenConfig } from './config.types';
import { ConfigModule } from './config.module';
import { ConfigReloader } from './config-reloader.service';
import { LiveConfig } from './live-config';

@Injectable()
class NeedsConfig {
  constructor(readonly config: LiveConfig) {}
}

// A module that does not import ConfigModule: the config must reach it because the module is global.
@Module({ providers: [NeedsConfig] })
class ConsumerModule {}

describe('ConfigModule', () => {
  it('provides the configuration in force, and a reloader using the given loader, to every module', async () => {
    const config = {
      hostname: 'test-host',
      dataDir: '/var/lib/hen-backup',
      readOnly: false,
      api: { host: '127.0.0.1', port: 4000, tokens: [], openIntrospection: false },
      log: { level: 'info' },
      backups: {},
      repositories: {},
    } as unknown as HenConfig;
    const reloaded = { ...config, hostname: 'reloaded-host' };

    @Module({ imports: [ConfigModule.forConfig(config, () => reloaded), ConsumerModule] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      expect(app.get(NeedsConfig).config.current).toBe(config);
      expect(app.get(ConfigReloader).reload('test')).toMatchObject({ reloaded: true });
      expect(app.get(NeedsConfig).config.current).toBe(reloaded);
      expect(app.get(LiveConfig).current.hostname).toBe('reloaded-host');
    } finally {
      await app.close();
    }
  });
});
