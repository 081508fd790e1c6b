import { Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { ConfigReloader } from '../config/config-reloader.service';
import { ConfigReloadModel } from './models/config-reload.model';
import { LiveConfig } from '../config/live-config';

const NOTHING = { added: [], removed: [], changed: [] };

@Resolver()
export class ConfigReloadResolver {
  constructor(
    private readonly reloader: ConfigReloader,
    private readonly config: LiveConfig,
  ) {}

  @RequireRole('admin')
  @Mutation(() => ConfigReloadModel, {
    nullable: true,
    description:
      'read the configuration file again (as SIGHUP does); queued and running jobs are kept, except queued jobs of removed definitions, which are canceled',
  })
  reloadConfig(): ConfigReloadModel {
    const outcome = this.reloader.reload('api');
    const source = this.config.current.source;
    return outcome.reloaded
      ? {
          reloaded: true,
          source,
          issues: [],
          backups: outcome.change.backups,
          repositories: outcome.change.repositories,
        }
      : {
          reloaded: false,
          source,
          issues: outcome.issues,
          backups: NOTHING,
          repositories: NOTHING,
        };
  }
}
