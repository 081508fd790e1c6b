import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import type { Job } from '../jobs/job.types';
import { JobModel } from '../jobs/models/job.model';
import { RestoreService } from './restore.service';
import { RestoreSnapshotArgs } from './dto/restore-snapshot.args';

@Resolver()
export class RestoreResolver {
  constructor(private readonly restores: RestoreService) {}

  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue a `restic restore` of a snapshot into a folder (inside restore.allowedTargets when set); an unknown snapshot is refused at once, before anything is queued or written',
  })
  restoreSnapshot(@Args() { input }: RestoreSnapshotArgs): Promise<Job> {
    return this.restores.request(input, 'api');
  }
}
