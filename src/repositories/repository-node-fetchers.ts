import { Injectable } from '@nestjs/common';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import type { RepositoryModel } from './models/repository.model';
import { RepositoriesService } from './repositories.service';
import { toRepositoryModel } from './repository-views';

@Injectable()
@NodeFetcherProvider()
export class RepositoryNodeFetcher implements NodeFetcher {
  readonly type = 'Repository';
  constructor(private readonly repositories: RepositoriesService) {}

  fetch([name]: string[]): RepositoryModel | null {
    const repository = this.repositories.find(name);
    return repository ? toRepositoryModel(repository) : null;
  }
}
