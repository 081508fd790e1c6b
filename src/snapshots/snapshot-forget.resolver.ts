import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { WritesRepository } from '../common/auth/writes-repository.decorator';
import type { Job } from '../jobs/job.types';
import { JobModel } from '../jobs/models/job.model';
import { SnapshotForgetService } from './snapshot-forget.service';
import { ForgetSnapshotsArgs } from './dto/snapshot.args';

/** The mutation that forgets chosen snapshots. */
@Resolver()
export class SnapshotForgetResolver {
  constructor(private readonly snapshotForget: SnapshotForgetService) {}

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue forgetting exactly these snapshots, then a prune of their data; every id is checked first, and a bad one queues nothing',
  })
  forgetSnapshots(@Args() { repository, ids, backup }: ForgetSnapshotsArgs): Promise<Job> {
    return this.snapshotForget.requestForget(repository, ids, backup ?? null, 'api');
  }
}
