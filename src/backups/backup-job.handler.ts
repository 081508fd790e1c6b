import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HEN_CONFIG } from '../config/config.constants';
import type { HenConfig } from '../config/config.types';
import { combineLimits } from '../config/limits';
import type { JobContext } from '../jobs/job-context';
import { JobFailure, describeFailure } from '../jobs/job-failure';
import type { JobHandler } from '../jobs/job-handler';
import { JobHandlers } from '../jobs/job-handlers';
import { backupLock, repositoryLock, type ResourceLock } from '../jobs/job-locks';
import type { Job } from '../jobs/job.types';
import { RepositoriesService } from '../repositories/repositories.service';
import { backupTag } from '../repositories/snapshots.service';
import { ResticService } from '../restic/restic.service';
import type { BackupProgress, BackupResult } from '../restic/restic.types';
import { BackupsService } from './backups.service';

/**
 * One backup job: one restic run per repository of the definition, in order. A repository that
 * fails does not stop the others; the job fails when any did.
 */
@Injectable()
export class BackupJobHandler implements JobHandler, OnModuleInit {
  readonly operation = 'backup' as const;

  constructor(
    @Inject(HEN_CONFIG) private readonly config: HenConfig,
    private readonly handlers: JobHandlers,
    private readonly backups: BackupsService,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  locks(job: Job): ResourceLock[] {
    const definition = this.backups.find(job.backup!);
    return [
      backupLock(job.backup!),
      ...(definition?.repositories ?? []).map((name) => repositoryLock(name, 'shared')),
    ];
  }

  maxDurationMs(job: Job): number | undefined {
    return this.backups.find(job.backup!)?.maxDurationMs;
  }

  async run(context: JobContext): Promise<void> {
    const backup = this.backups.get(context.job.backup!);
    const failures: { repository: string; code: string; message: string }[] = [];

    for (const name of backup.repositories) {
      if (context.signal.aborted) break;
      const repository = this.repositories.get(name);
      const step = context.step(`repository ${name}`, 'restic', name);
      try {
        const result = await this.restic.backup(
          this.repositories.target(name),
          {
            paths: backup.paths,
            excludes: backup.excludes,
            host: this.config.hostname,
            tags: [backupTag(backup.name)],
          },
          {
            signal: context.signal,
            limits: combineLimits(this.config.limits, repository.limits, backup.limits),
            onLog: (line) => step.log(line.level, line.text, 'restic'),
            onProgress: (progress) => context.progress(toJobProgress(progress, step.step.name)),
          },
        );
        this.recordResult(context, name, result);
        step.succeed({ snapshotId: result.snapshotId, summary: summaryOf(result) });
        step.log(
          'info',
          `snapshot ${result.snapshotId} saved: ${result.filesNew} new, ${result.filesChanged} changed files, ${result.dataAdded} bytes added`,
        );
      } catch (error) {
        if (context.signal.aborted) throw error;
        const failure = describeFailure(error);
        step.fail(failure);
        failures.push({ repository: name, ...failure });
      }
    }

    if (failures.length) {
      const code = failures.length === 1 ? failures[0].code : 'BACKUP_FAILED';
      const details = failures.map((f) => `${f.repository}: ${f.message}`).join('; ');
      throw new JobFailure(
        code,
        `${failures.length} of ${backup.repositories.length} repositories failed (${details})`,
      );
    }
  }

  private recordResult(context: JobContext, repository: string, result: BackupResult): void {
    for (const warning of result.warnings) context.warn(`${repository}: ${warning}`);
    if (result.partial) {
      context.warn(
        `${repository}: snapshot ${result.snapshotId.slice(0, 8)} was saved, but some files could not be read`,
      );
    }
    context.addSnapshot(result.snapshotId);
  }
}

function toJobProgress(progress: BackupProgress, step: string) {
  return {
    percent: Math.round(progress.percentDone * 10000) / 100,
    filesDone: progress.filesDone,
    totalFiles: progress.totalFiles,
    bytesDone: progress.bytesDone,
    totalBytes: progress.totalBytes,
    secondsElapsed: progress.secondsElapsed,
    secondsRemaining: progress.secondsRemaining,
    currentFiles: progress.currentFiles,
    step,
  };
}

function summaryOf(result: BackupResult): Record<string, number> {
  return {
    filesNew: result.filesNew,
    filesChanged: result.filesChanged,
    filesUnmodified: result.filesUnmodified,
    dataAdded: result.dataAdded,
    totalFilesProcessed: result.totalFilesProcessed,
    totalBytesProcessed: result.totalBytesProcessed,
    durationSeconds: result.durationSeconds,
  };
}
