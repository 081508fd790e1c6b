import type { RepositoryConfig } from '../config/config.types';
import { globalId } from '../common/graphql/global-id';
import { maskLocation } from './mask-location';
import type { RepositoryModel } from './models/repository.model';
import { backendOf } from '../config/provider-env';

export function toRepositoryModel(repository: RepositoryConfig): RepositoryModel {
  return {
    id: globalId('Repository', repository.name),
    name: repository.name,
    configured: true,
    location: maskLocation(repository.location),
    backend: backendOf(repository.location),
    inline: repository.inline,
  };
}

/** A repository old jobs or snapshots name but the configuration no longer holds. */
export function unconfiguredRepository(name: string): RepositoryModel {
  return {
    id: globalId('Repository', name),
    name,
    configured: false,
    location: null,
    backend: null,
    inline: false,
  };
}
