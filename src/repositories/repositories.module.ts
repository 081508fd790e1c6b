import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ResticServiceModule } from './restic-service.module';
import { CheckJobHandler } from './check-job.handler';
import { ForgetJobHandler } from './forget-job.handler';
import { InitJobHandler } from './init-job.handler';
import { JobRepositoryResolver, JobStepRepositoryResolver } from './job-repository.resolver';
import { RepositoriesResolver } from './repositories.resolver';
import { RepositoryJobSteps } from './repository-job-steps';
import { RepositoryNodeFetcher } from './repository-node-fetchers';
import { RepositoryViews } from './repository-views.service';
import { RepositoriesService } from './repositories.service';
import { RepositoryOpener } from './repository-opener';
import { RepositoryStateResolver } from './repository-state.resolver';
import { RepositoryStates } from './repository-states';
import { RepositoryJobsResolver } from './repository-jobs.resolver';
import { RepositoryJobsService } from './repository-jobs.service';
import { UnlockJobHandler } from './unlock-job.handler';

@Module({
  imports: [ResticServiceModule, JobsModule],
  providers: [
    RepositoriesService,
    RepositoryStates,
    RepositoryOpener,
    RepositoryStateResolver,
    RepositoryJobsService,
    RepositoryJobSteps,
    InitJobHandler,
    ForgetJobHandler,
    CheckJobHandler,
    UnlockJobHandler,
    RepositoriesResolver,
    RepositoryJobsResolver,
    RepositoryViews,
    JobRepositoryResolver,
    JobStepRepositoryResolver,
    RepositoryNodeFetcher,
  ],
  exports: [
    RepositoriesService,
    RepositoryJobsService,
    RepositoryViews,
    RepositoryStates,
    RepositoryOpener,
  ],
})
export class RepositoriesModule {}
