import { Injectable } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { Clock } from '../common/clock';
import { LiveConfig } from '../config/live-config';
import { combineLimits } from '../config/limits';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { repositoryLock, type ResourceLock } from '../jobs/job-locks';
import type { Job } from '../jobs/job.types';
import { ResticService } from '../repositories/restic.service';
import type { ResticStats, RestoreProgress } from '../restic/restic.types';
import { RepositoriesService } from '../repositories/repositories.service';
import { inRepositoryStep, lockWaitFor } from '../repositories/repository-step';
import { readRestoreParams } from './restore.service';
import { measureTree, type TreeSize } from './tree-size';

/** Polls the target at most this often; a slow walk waits several times its own length. */
export const RESTORE_POLL_MS = 1000;
const POLL_COST_FACTOR = 4;

/**
 * `restic restore` into a folder. restic shares the repository with backups. restic 0.14 prints
 * no progress, so the bytes written under the target are measured about once a second against
 * the snapshot's restore size; restic ≥ 0.16 prints JSON status, which then replaces that.
 */
@Injectable()
@JobHandlerProvider()
export class RestoreJobHandler implements JobHandler {
  readonly operation = 'restore' as const;

  constructor(
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
    private readonly clock: Clock,
  ) {}

  locks(job: Job): ResourceLock[] {
    const { target } = readRestoreParams(job.params);
    // two restores writing into the same folder would mix their files
    return [
      repositoryLock(job.repository!, 'shared'),
      { resource: `restore-target:${target}`, mode: 'exclusive' },
    ];
  }

  async run(context: JobContext): Promise<void> {
    const name = context.job.repository!;
    const params = readRestoreParams(context.job.params);
    const limits = combineLimits(this.config.current.limits, this.repositories.get(name).limits);
    const target = this.repositories.target(name);
    const signal = context.signal;

    await inRepositoryStep(context, name, async (step, onLog) => {
      const filters = [
        ...params.include.map((p) => `--include ${p}`),
        ...params.exclude.map((p) => `--exclude ${p}`),
      ];
      step.log(
        'info',
        `restoring snapshot ${params.snapshotId} into ${params.target}${filters.length ? ` (${filters.join(' ')})` : ''}`,
      );
      await mkdir(params.target, { recursive: true });
      const before = await measureTree(params.target);
      const started = this.clock.now();

      let total: ResticStats | null = null;
      // the snapshot's restore size, for the progress estimate; not worth failing the job over,
      // nor worth running past the restore itself
      const statsAbort = new AbortController();
      const abortStats = () => statsAbort.abort();
      signal.addEventListener('abort', abortStats, { once: true });
      void this.restic
        .stats(target, 'restore-size', params.snapshotId, { signal: statsAbort.signal, limits })
        .then((stats) => (total = stats))
        .catch(() => undefined);

      let stopped = false;
      let jsonProgress = false;
      let cancelTimer = () => {};
      const report = (p: Omit<RestoreProgress, 'secondsElapsed'>) => {
        const secondsElapsed = (this.clock.now() - started) / 1000;
        const percent = Math.min(99.9, p.percentDone * 100);
        context.progress({
          percent,
          filesDone: p.filesRestored,
          totalFiles: p.totalFiles,
          bytesDone: p.bytesRestored,
          totalBytes: p.totalBytes,
          secondsElapsed,
          secondsRemaining:
            percent > 0 ? Math.round((secondsElapsed * (100 - percent)) / percent) : null,
          currentFiles: [],
          step: step.step.name,
        });
      };
      const poll = async () => {
        if (stopped || jsonProgress) return;
        const walkStart = this.clock.now();
        const now = await measureTree(params.target, () => stopped || jsonProgress);
        if (stopped || jsonProgress) return;
        const written = difference(now, before);
        const stats: ResticStats | null = total;
        const totalBytes = stats?.totalSize ?? 0;
        report({
          percentDone: totalBytes > 0 ? written.bytes / totalBytes : 0,
          filesRestored: written.entries,
          totalFiles: stats?.totalFileCount ?? 0,
          bytesRestored: written.bytes,
          totalBytes,
        });
        const cost = this.clock.now() - walkStart;
        cancelTimer = this.clock.setTimeout(
          () => void poll(),
          Math.max(RESTORE_POLL_MS, cost * POLL_COST_FACTOR),
        );
      };
      cancelTimer = this.clock.setTimeout(() => void poll(), RESTORE_POLL_MS);

      let result;
      try {
        result = await this.restic.restore(target, params, {
          signal,
          limits,
          onLog,
          lockWait: lockWaitFor(step),
          onProgress: (progress) => {
            jsonProgress = true;
            report(progress);
          },
        });
      } finally {
        stopped = true;
        cancelTimer();
        abortStats();
        signal.removeEventListener('abort', abortStats);
      }

      let files: number;
      let bytes: number;
      if (result.summary) {
        files = result.summary.filesRestored;
        bytes = result.summary.bytesRestored;
      } else {
        const written = difference(await measureTree(params.target), before);
        files = written.files;
        bytes = written.bytes;
      }
      context.progress({
        percent: 100,
        filesDone: files,
        totalFiles: files,
        bytesDone: bytes,
        totalBytes: bytes,
        secondsElapsed: (this.clock.now() - started) / 1000,
        secondsRemaining: 0,
        currentFiles: [],
        step: step.step.name,
      });
      step.log('info', `restored ${files} files (${bytes} bytes) into ${params.target}`);
      step.succeed({ summary: { filesRestored: files, bytesRestored: bytes } });
    });
  }
}

function difference(now: TreeSize, before: TreeSize): TreeSize {
  return {
    files: Math.max(0, now.files - before.files),
    entries: Math.max(0, now.entries - before.entries),
    bytes: Math.max(0, now.bytes - before.bytes),
  };
}
