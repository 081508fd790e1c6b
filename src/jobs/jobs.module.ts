import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobEvents } from './job-events';
import { JobHandlers } from './job-handlers';
import { JobHistory } from './job-history';
import { JobLogService } from './job-log.service';
import { JobRecovery } from './job-recovery';
import { JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import { NotificationOutboxStore } from './notification-outbox-store';
import { JobLogEntryNodeFetcher, JobNodeFetcher, JobStepNodeFetcher } from './job-node-fetchers';
import { JobPages } from './job-pages';
import { JobLogEntryFieldsResolver, JobsResolver } from './jobs.resolver';
import { JobProgressResolver } from './job-progress.resolver';
import { JobFeeds } from './job-feeds';
import { JobSubscriptionsResolver } from './job-subscriptions.resolver';
import { PendingJobs } from './pending-jobs';
import { RepositoryIdentityStore } from './repository-identity-store';
import { StateModule } from '../state/state.module';

@Module({
  imports: [DiscoveryModule, StateModule],
  providers: [
    JobStore,
    NotificationOutboxStore,
    JobEvents,
    JobLogService,
    JobHandlers,
    JobRunner,
    JobRecovery,
    PendingJobs,
    JobHistory,
    JobPages,
    JobsResolver,
    JobProgressResolver,
    JobFeeds,
    JobSubscriptionsResolver,
    JobLogEntryFieldsResolver,
    JobNodeFetcher,
    JobStepNodeFetcher,
    JobLogEntryNodeFetcher,
    RepositoryIdentityStore,
  ],
  exports: [
    JobStore,
    NotificationOutboxStore,
    JobPages,
    JobEvents,
    JobHandlers,
    JobRunner,
    JobRecovery,
    JobLogService,
    RepositoryIdentityStore,
  ],
})
export class JobsModule {}
