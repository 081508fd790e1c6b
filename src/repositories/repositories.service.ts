import { Injectable } from '@nestjs/common';
import { ConfiguredEntries, UnknownNameError } from '../config/configured-entries';
import { LiveConfig } from '../config/live-config';
import type { RepositoryConfig } from '../config/config.types';
import type { ResticTarget } from '../restic/restic.types';
import { providerSettings } from '../config/provider-env';

export class UnknownRepositoryError extends UnknownNameError {
  constructor(name: string) {
    super('repository', name);
  }
}

/** The configured repositories and how restic reaches each of them. */
@Injectable()
export class RepositoriesService extends ConfiguredEntries<RepositoryConfig> {
  constructor(private readonly config: LiveConfig) {
    super();
  }

  protected entries(): Record<string, RepositoryConfig> {
    return this.config.current.repositories;
  }

  protected unknown(name: string): UnknownRepositoryError {
    return new UnknownRepositoryError(name);
  }

  target(name: string): ResticTarget {
    const repository = this.get(name);
    const provider = providerSettings(repository.location, repository.locationParams);
    return {
      name,
      location: provider.location,
      env: { ...provider.env, RESTIC_PASSWORD: repository.password },
      args: provider.args,
    };
  }
}
