import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { DateTime } from '../common/graphql/scalars';
import { knownJobErrorCode } from '../jobs/job-error-codes';
import { RepositoryModel } from './models/repository.model';
import { RepositoryErrorModel, RepositoryStateEnum } from './models/repository-state.model';
import { type RepositoryStateName, RepositoryStates } from './repository-states';

/** What the daemon knows of each repository's health, as fields of Repository. */
@Resolver(() => RepositoryModel)
export class RepositoryStateResolver {
  constructor(private readonly states: RepositoryStates) {}

  @ResolveField(() => RepositoryStateEnum, {
    description: 'whether it can be used, as last found (UNKNOWN until first opened)',
  })
  state(@Parent() repository: RepositoryModel): RepositoryStateName {
    return this.states.get(repository.name).state;
  }

  @ResolveField(() => DateTime, {
    nullable: true,
    description: 'when the state last changed; null while UNKNOWN',
  })
  stateSince(@Parent() repository: RepositoryModel): string | null {
    const state = this.states.get(repository.name);
    return state.state === 'unknown' ? null : state.since;
  }

  @ResolveField(() => RepositoryErrorModel, {
    nullable: true,
    description: 'the last failure seen since the daemon started, kept once it is ready again',
  })
  lastError(@Parent() repository: RepositoryModel): RepositoryErrorModel | null {
    const error = this.states.get(repository.name).lastError;
    return error ? { ...error, code: knownJobErrorCode(error.code) } : null;
  }

  @ResolveField(() => DateTime, {
    nullable: true,
    description: 'when the daemon will next try to open it on its own; null when none is due',
  })
  nextTryAt(@Parent() repository: RepositoryModel): string | null {
    return this.states.get(repository.name).nextTryAt;
  }

  @ResolveField(() => String, {
    nullable: true,
    description: "restic's own id of the repository, once opened",
  })
  resticId(@Parent() repository: RepositoryModel): string | null {
    return this.states.get(repository.name).resticId;
  }
}
