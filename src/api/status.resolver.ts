import { Query, Resolver } from '@nestjs/graphql';
import { LiveConfig } from '../config/live-config';
import { Clock } from '../common/clock';
import { RuntimeInfo } from '../common/runtime-info';
import { JobRunner } from '../jobs/job-runner.service';
import { StatusModel } from './status.model';

@Resolver(() => StatusModel)
export class StatusResolver {
  constructor(
    private readonly config: LiveConfig,
    private readonly runtime: RuntimeInfo,
    private readonly runner: JobRunner,
    private readonly clock: Clock,
  ) {}

  @Query(() => StatusModel)
  status(): StatusModel {
    const counts = this.runner.counts();
    return {
      version: this.runtime.version,
      resticVersion: this.runtime.resticVersion,
      hostname: this.config.current.hostname,
      startedAt: new Date(this.runtime.startedAt).toISOString(),
      uptimeSeconds: Math.round((this.clock.now() - this.runtime.startedAt) / 100) / 10,
      readOnly: this.config.current.readOnly,
      queuedJobs: counts.queued,
      runningJobs: counts.running,
    };
  }
}
