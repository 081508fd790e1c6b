import { registerEnumType } from '@nestjs/graphql';
import { domainEnum } from '../../common/graphql/domain-enum';
import {
  JOB_OPERATIONS,
  JOB_STATES,
  JOB_TRIGGERS,
  STEP_KINDS,
  STEP_STATES,
  JOB_LOG_LEVELS,
  type JobLogLevel,
  type JobOperation,
  type JobState,
  type JobTrigger,
  type StepKind,
  type StepState,
} from '../job.types';
import { JOB_ERROR_CODES } from '../job-error-codes';

export const JobOperationEnum = domainEnum<JobOperation>(
  JOB_OPERATIONS,
  'JobOperation',
  'what a job does',
  {
    backup: 'back up a definition to each of its repositories (with its hooks)',
    init: 'open a repository, creating it when it does not exist yet',
    unlock: 'remove stale locks from a repository',
    prune: "forget the snapshots a backup's retention does not keep, then prune",
    check: 'check the integrity of a repository',
    restore: 'restore a snapshot into a folder',
    forget: 'forget chosen snapshots of a repository (forgetSnapshots), then prune',
    index:
      "bring a repository's part of the snapshot index up to date: drop forgotten snapshots, index new ones",
  },
);

export const JobStateEnum = domainEnum<JobState>(
  JOB_STATES,
  'JobState',
  'where a job is in its life',
  {
    queued: 'waiting for its turn',
    running: 'running now',
    succeeded: 'ended well (possibly with warnings)',
    failed: 'ended with an error',
    canceled: 'canceled before or while it ran',
    interrupted: 'the daemon stopped while it ran',
  },
);

export const JobTriggerEnum = domainEnum<JobTrigger>(
  JOB_TRIGGERS,
  'JobTrigger',
  'what asked for a job',
  {
    api: 'a request to this API',
    schedule: 'a schedule came due',
    watch: 'watched files changed and settled',
    startup: 'the daemon started',
    reload: 'a configuration reload (an init of a repository it added)',
    retry: 'the daemon trying again to open a repository that failed (jobs.repositoryRetry)',
    'follow-up': 'work another job left to do (indexing the snapshots a backup made)',
  },
);

export const StepStateEnum = domainEnum<StepState>(STEP_STATES, 'StepState', 'where a step is', {
  pending: 'not started yet',
  running: 'running now',
  succeeded: 'ended well',
  warned:
    'failed, but its failure was ignored (a hook with onFailure ignore): the job goes on and can still succeed; the step keeps its error',
  failed: 'ended with an error',
  skipped: 'not run (an earlier step broke the job, or its condition did not hold)',
  canceled: 'canceled while it ran',
  interrupted: 'the daemon stopped while it ran',
});

export const StepKindEnum = domainEnum<StepKind>(STEP_KINDS, 'StepKind', 'what a step runs', {
  restic: 'one restic command on one repository',
  hook: 'a hook before or after a backup (an HTTP request or a command)',
});

export const JobLogLevelEnum = domainEnum<JobLogLevel>(
  JOB_LOG_LEVELS,
  'JobLogLevel',
  'how important a job log line is',
  {
    debug: 'detail for troubleshooting',
    info: 'normal progress',
    warn: 'something went wrong but the job carries on',
    error: 'something failed',
  },
);

export const JobErrorCodeEnum = Object.fromEntries(
  Object.keys(JOB_ERROR_CODES).map((code) => [code, code]),
) as Record<keyof typeof JOB_ERROR_CODES, keyof typeof JOB_ERROR_CODES>;
registerEnumType(JobErrorCodeEnum, {
  name: 'JobErrorCode',
  description: 'why a job or a step failed',
  valuesMap: Object.fromEntries(
    Object.entries(JOB_ERROR_CODES).map(([code, description]) => [code, { description }]),
  ),
});
