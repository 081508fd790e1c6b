import { Injectable } from '@nestjs/common';
import type { RepositoryModel } from './models/repository.model';
import { RepositoriesService } from './repositories.service';
import { toRepositoryModel, unconfiguredRepository } from './repository-views';

/** Repositories as relations: one that is no longer configured still answers, marked so. */
@Injectable()
export class RepositoryViews {
  constructor(private readonly repositories: RepositoriesService) {}

  repository(name: string): RepositoryModel {
    const repository = this.repositories.find(name);
    return repository ? toRepositoryModel(repository) : unconfiguredRepository(name);
  }
}
