import { Field, ObjectType } from '@nestjs/graphql';
import { domainEnum } from '../../common/graphql/domain-enum';
import { DateTime } from '../../common/graphql/scalars';
import { JobErrorCodeEnum } from '../../jobs/models/job-enums';
import type { JobErrorCode } from '../../jobs/job-error-codes';
import { REPOSITORY_STATES, type RepositoryStateName } from '../repository-states';

const DESCRIPTIONS: Record<RepositoryStateName, string> = {
  unknown: 'not opened since the daemon started (or since a reload moved it)',
  ready: 'opened: restic reached it and the password fits',
  unreachable: 'its backend could not be reached; tried again on its own',
  missing:
    'no repository at its location: one the daemon knew is gone (never created again on its own), or its disk is not mounted',
  locked: 'another process held its lock when last tried',
  'wrong-password': 'the password does not open it',
  failed: 'opening it failed for another reason (see lastError)',
};

export const RepositoryStateEnum = domainEnum<RepositoryStateName>(
  REPOSITORY_STATES,
  'RepositoryState',
  'whether a repository can be used, as the daemon last found it',
  DESCRIPTIONS,
);

@ObjectType('RepositoryError', { description: 'the last failure seen on a repository' })
export class RepositoryErrorModel {
  @Field(() => JobErrorCodeEnum, { description: 'stable, machine-readable reason' })
  code!: JobErrorCode;

  @Field({ description: 'what happened, readable, without secrets' })
  message!: string;

  @Field(() => DateTime, { description: 'when it was seen' })
  at!: string;
}
