import { Injectable } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import type { BackupConfig } from '../config/config.types';
import type { JobContext } from '../jobs/job-context';
import { JobFailure } from '../jobs/job-failure';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { backupLock, repositoryLock, type ResourceLock } from '../jobs/job-locks';
import type { Job, StepProgress } from '../jobs/job.types';
import { RepositoriesService } from '../repositories/repositories.service';
import { RepositoryOpener } from '../repositories/repository-opener';
import {
  inEachRepository,
  lockWaitFor,
  repositoriesFailed,
  type RepositoryFailure,
} from '../repositories/repository-step';
import { backupTag } from '../snapshots/snapshots.service';
import { ResticService } from '../repositories/restic.service';
import type { BackupProgress, BackupResult } from '../restic/restic.types';
import { BackupsService } from './backups.service';
import { planRepositories, type RepositoryPlan } from './repository-plan';
import { HookRunner, type StageOutcome } from './hooks/hook-runner.service';

/**
 * One backup job: the before hooks, one restic run per repository of the definition in order,
 * then the after hooks. A repository that fails does not stop the others; the job fails when any
 * did, or when a hook failed with onFailure continue or break (see HookRunner for the policies).
 */
@Injectable()
@JobHandlerProvider()
export class BackupJobHandler implements JobHandler {
  readonly operation = 'backup' as const;

  constructor(
    private readonly config: LiveConfig,
    private readonly backups: BackupsService,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
    private readonly hooks: HookRunner,
    private readonly opener: RepositoryOpener,
  ) {}

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
    const plan = planRepositories(this.config.current, this.repositories, backup);
    // Hooks run once per job, around all the repositories, not around each one.
    let repositoryFailures: RepositoryFailure[] = [];
    let before: StageOutcome;
    context.planSteps(backup.hooks.before.length + plan.length + backup.hooks.after.length);
    try {
      before = await this.hooks.runStage(context, 'before', backup.hooks.before);
      if (before.aborted) throw stopped();
      if (before.broke) {
        // No restic step is created: the steps list shows what ran, the log says what did not.
        context.log('warn', 'the backup did not run: a before hook failed with onFailure break');
      } else {
        repositoryFailures = await this.backUpRepositories(context, backup, plan);
      }
    } catch (error) {
      if (context.signal.aborted) await this.afterStopped(context, backup);
      throw error;
    }
    // After hooks still run when the backup failed or was skipped: `when: failure` is for that.
    const after = await this.hooks.runStage(context, 'after', backup.hooks.after);
    if (after.aborted) throw stopped();
    const failure = backupFailure(backup, before, repositoryFailures, after);
    if (failure) throw failure;
  }

  /**
   * A canceled or timed-out backup still runs its after hooks (those for failure or always), so
   * that what a before hook stopped is started again. Not while the daemon shuts down: that must
   * end within seconds, and the next run's hooks will find things as they are.
   */
  private async afterStopped(context: JobContext, backup: BackupConfig): Promise<void> {
    if (backup.hooks.after.length === 0) return;
    const reason = (context.signal.reason as Error | undefined)?.message;
    if (reason === 'shutdown') {
      context.log('warn', 'after hooks not run: the daemon is stopping');
      return;
    }
    context.log('info', `the job was stopped (${reason ?? 'canceled'}); running its after hooks`);
    await this.hooks.runStage(context, 'after', backup.hooks.after, true);
  }

  /** One restic step per repository, in order; a failed one does not stop the others. */
  private backUpRepositories(
    context: JobContext,
    backup: BackupConfig,
    plan: RepositoryPlan[],
  ): Promise<RepositoryFailure[]> {
    return inEachRepository(
      context,
      plan,
      this.opener,
      async ({ name, target, host, limits }, step, onLog) => {
        const result = await this.restic.backup(
          target,
          {
            paths: backup.paths,
            excludes: backup.excludes,
            host,
            tags: [backupTag(backup.name), ...backup.tags],
          },
          {
            signal: context.signal,
            limits,
            onLog,
            onProgress: (progress) => context.progress(toJobProgress(progress, step.step.name)),
            lockWait: lockWaitFor(step),
          },
        );
        this.recordResult(context, name, result);
        // restic 0.14 prints no status for a small or unchanged backup: the summary has the totals
        context.progress(summaryProgress(result, step.step.name));
        step.succeed({ snapshotId: result.snapshotId, summary: summaryOf(result) });
        step.log(
          'info',
          `snapshot ${result.snapshotId} saved: ${result.filesNew} new, ${result.filesChanged} changed files, ${result.dataAdded} bytes added`,
        );
      },
      stopped,
    );
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

/** Thrown once the job's signal fired; the runner reports the job by why it was stopped. */
function stopped(): JobFailure {
  return new JobFailure('CANCELED', 'stopped while running');
}

/**
 * The job's error, naming everything that failed in the order it ran: hooks by their label,
 * repositories by name. A lone failure keeps its own code.
 */
export function backupFailure(
  backup: BackupConfig,
  before: StageOutcome,
  repositories: RepositoryFailure[],
  after: StageOutcome,
): JobFailure | null {
  const count = before.failures.length + repositories.length + after.failures.length;
  if (count === 0) return null;
  const parts = before.failures.map((f) => f.message);
  if (before.broke) parts.push('the backup did not run');
  if (repositories.length) parts.push(repositoriesFailed(repositories, backup.repositories.length));
  parts.push(...after.failures.map((f) => f.message));
  const only = count === 1 ? [...before.failures, ...repositories, ...after.failures][0] : null;
  const code = only?.code ?? 'BACKUP_FAILED';
  return new JobFailure(code, parts.join('; '));
}

function toJobProgress(progress: BackupProgress, step: string): StepProgress {
  return {
    // restic's percent_done counts bytes read, which under an upload limit reaches 100 well
    // before the upload ends: 100 is kept for the summary, once the snapshot is saved
    percent: Math.min(99.9, Math.round(progress.percentDone * 10000) / 100),
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

function summaryProgress(result: BackupResult, step: string): StepProgress {
  return {
    percent: 100,
    filesDone: result.totalFilesProcessed,
    totalFiles: result.totalFilesProcessed,
    bytesDone: result.totalBytesProcessed,
    totalBytes: result.totalBytesProcessed,
    secondsElapsed: result.durationSeconds,
    secondsRemaining: 0,
    currentFiles: [],
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
