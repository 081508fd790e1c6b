import { Float, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { JobProgressModel } from './models/job-progress.model';
import type { JobProgress } from './job.types';

/** The job-level fields of a job's progress, beside the running step's own. */
@Resolver(() => JobProgressModel)
export class JobProgressResolver {
  @ResolveField(() => Float, {
    description:
      'how far the whole job is, 0..100: every step (hook or restic run) counts the same, the ' +
      'running one by its own percent; never goes backwards, and is 100 once the job succeeded',
  })
  jobPercent(@Parent() progress: JobProgress): number {
    return progress.jobPercent;
  }

  @ResolveField(() => Boolean, {
    description:
      'true when this is the final progress of a job whose work was all done (percent 100, the ' +
      'totals from restic’s summary); false while the job runs, and in the final progress of a ' +
      'job that failed or was stopped, which keeps the last values reported',
  })
  complete(@Parent() progress: JobProgress): boolean {
    return progress.complete;
  }
}
