import { Injectable } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import type { RepositoryConfig } from '../config/config.types';
import type { ResticTarget } from '../restic/restic.types';
import { providerSettings } from '../config/provider-env';

export class UnknownRepositoryError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(name: string) {
    super(`no repository named "${name.slice(0, 100)}"`);
  }
}

/** The configured repositories and how restic reaches each of them. */
@Injectable()
export class RepositoriesService {
  constructor(private readonly config: LiveConfig) {}

  list(): RepositoryConfig[] {
    return Object.values(this.config.current.repositories);
  }

  find(name: string): RepositoryConfig | undefined {
    return Object.hasOwn(this.config.current.repositories, name)
      ? this.config.current.repositories[name]
      : undefined;
  }

  get(name: string): RepositoryConfig {
    const repository = this.find(name);
    if (!repository) throw new UnknownRepositoryError(name);
    return repository;
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
