import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { globalId } from '../common/graphql/global-id';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import { RuntimeInfo } from '../common/runtime-info';
import { LiveConfig } from '../config/live-config';
import { JobRunner } from '../jobs/job-runner.service';
import type { StatusModel } from './models/status.model';

/** The daemon at a glance; also the `node(id)` fetcher of Status. */
@Injectable()
@NodeFetcherProvider()
export class StatusService implements NodeFetcher {
  readonly type = 'Status';

  constructor(
    private readonly config: LiveConfig,
    private readonly runtime: RuntimeInfo,
    private readonly runner: JobRunner,
    private readonly clock: Clock,
  ) {}

  status(): StatusModel {
    const counts = this.runner.counts();
    return {
      id: globalId('Status', this.config.current.hostname),
      version: this.runtime.version,
      resticVersion: this.runtime.resticVersion,
      hostname: this.config.current.hostname,
      startedAt: new Date(this.runtime.startedAt),
      uptimeSeconds: Math.round((this.clock.now() - this.runtime.startedAt) / 100) / 10,
      readOnly: this.config.current.readOnly,
      queuedJobs: counts.queued,
      runningJobs: counts.running,
    };
  }

  fetch([hostname]: string[]): StatusModel | null {
    return hostname === this.config.current.hostname ? this.status() : null;
  }
}
