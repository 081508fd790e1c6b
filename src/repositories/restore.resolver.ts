import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../api/auth/require-role.decorator';
import { notFound } from '../api/graphql-errors';
import { JobModel } from '../jobs/job.model';
import type { Job } from '../jobs/job.types';
import { RepositoriesService } from './repositories.service';
import { RestoreSnapshotInput } from './snapshot-browser.model';
import { RestoreService } from './restore.service';
import { withApiErrors } from './snapshot-api-errors';

@Resolver()
export class RestoreResolver {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly restores: RestoreService,
  ) {}

  @RequireRole('operator')
  @Mutation(() => JobModel, {
    description:
      'queue a `restic restore` of a snapshot into a folder (inside restore.allowedTargets when set)',
  })
  async restoreSnapshot(@Args('input') input: RestoreSnapshotInput): Promise<Job> {
    if (input.repository.length > 100 || !this.repositories.find(input.repository)) {
      throw notFound(`no repository named "${input.repository.slice(0, 100)}"`);
    }
    return withApiErrors(() => this.restores.request(input, 'api'));
  }
}
