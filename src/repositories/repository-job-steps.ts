import { Injectable } from '@nestjs/common';
import type { Limits, RepositoryConfig } from '../config/config.types';
import { combineLimits } from '../config/limits';
import { LiveConfig } from '../config/live-config';
import type { JobContext, StepHandle } from '../jobs/job-context';
import type { LockWaitPolicy } from '../restic/lock-retry';
import type { ResticLogLine, ResticTarget } from '../restic/restic.types';
import { RepositoriesService } from './repositories.service';
import { RepositoryOpener } from './repository-opener';
import { inRepositoryStep, lockWaitFor } from './repository-step';

/** What the work of a job on one whole repository is given. */
export interface RepositoryWork {
  name: string;
  repository: RepositoryConfig;
  target: ResticTarget;
  step: StepHandle;
  /** for restic: the job's signal, the global limits with the repository's, the step's log */
  options: { signal: AbortSignal; limits: Limits; onLog: (line: ResticLogLine) => void };
  /** waits for a repository another process holds, saying so in the step's log */
  lockWait: LockWaitPolicy;
}

/**
 * The mechanics the jobs on one whole repository (init, check, forget) share: the job's
 * repository and its limits, taken from the configuration when the job starts, and the work run
 * as one step (see inRepositoryStep).
 */
@Injectable()
export class RepositoryJobSteps {
  constructor(
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly opener: RepositoryOpener,
  ) {}

  /** `open`: open the repository first when it is not known to be ready (init opens it itself). */
  async run(
    context: JobContext,
    work: (work: RepositoryWork) => Promise<void>,
    { open }: { open: boolean },
  ): Promise<void> {
    const name = context.job.repository!;
    const repository = this.repositories.get(name);
    const limits = combineLimits(this.config.current.limits, repository.limits);
    const target = this.repositories.target(name);
    await inRepositoryStep(
      context,
      name,
      (step, onLog) =>
        work({
          name,
          repository,
          target,
          step,
          options: { signal: context.signal, limits, onLog },
          lockWait: lockWaitFor(step),
        }),
      open ? { opener: this.opener, limits } : undefined,
    );
  }
}
