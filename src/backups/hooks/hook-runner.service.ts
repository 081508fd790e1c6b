import { Injectable } from '@nestjs/common';
import { SecretScrubber } from '../../common/secret-scrubber';
import type { HookConfig, HookWhen } from '../../config/config.types';
import type { JobContext } from '../../jobs/job-context';
import { describeFailure } from '../../jobs/job-failure';
import type { Job } from '../../jobs/job.types';
import { CommandHookRunner } from './command-hook-runner';
import { hookLabel } from './hook-label';
import type { BackupStatus, HookInvocation, HookResult, HookStage } from './hook.types';
import { HttpHookRunner } from './http-hook-runner';

export const HOOK_FAILED = 'HOOK_FAILED';

/** A hook failure that fails the job (onFailure continue or break). */
export interface HookFailure {
  code: typeof HOOK_FAILED;
  /** `before[0] http POST http://host/dump: status 500`, scrubbed */
  message: string;
}

export interface StageOutcome {
  failures: HookFailure[];
  /** a hook with onFailure break failed: what would follow it must not run */
  broke: boolean;
  /** the job was stopped while a hook ran; its step is left for the runner to mark */
  aborted: boolean;
}

/**
 * The job's outcome so far, from its steps: any failed one (a repository, or a hook whose
 * failure fails the job) makes it a failure. Ignored hook failures end their step succeeded.
 */
export function backupStatusSoFar(job: Job): BackupStatus {
  return job.steps.some((s) => s.state === 'failed') ? 'failure' : 'success';
}

export function hookApplies(when: HookWhen, status: BackupStatus): boolean {
  return when === 'always' || when === status;
}

/**
 * Runs one stage of a backup's hooks in order, each as a job step of kind `hook`, and applies
 * their failure policies:
 * - ignore: a job warning; the step ends `warned` with its error, which does not fail the job;
 * - continue: the step fails (so will the job), the next hooks and the backup go on;
 * - break: the step fails and the stage stops; the caller skips what the stage guards.
 * After hooks run only when their `when` matches the outcome so far, re-read before each one.
 */
@Injectable()
export class HookRunner {
  constructor(
    private readonly http: HttpHookRunner,
    private readonly commands: CommandHookRunner,
    private readonly scrubber: SecretScrubber,
  ) {}

  /**
   * `afterStop`: the job was stopped (canceled, timed out) after its before hooks may have
   * changed something outside (a service stopped for a dump): its after hooks still run, as a
   * failure, under their own timeouts rather than the job's fired signal.
   */
  async runStage(
    context: JobContext,
    stage: HookStage,
    hooks: HookConfig[],
    afterStop = false,
  ): Promise<StageOutcome> {
    const outcome: StageOutcome = { failures: [], broke: false, aborted: false };
    const signal = afterStop ? new AbortController().signal : context.signal;
    for (const [index, hook] of hooks.entries()) {
      const label = hookLabel(stage, index, hook);
      if (signal.aborted) return { ...outcome, aborted: true };
      if (outcome.broke) {
        context.log('info', `${label} not run: an earlier hook failed with onFailure break`);
        continue;
      }
      const status =
        stage !== 'after' ? undefined : afterStop ? 'failure' : backupStatusSoFar(context.job);
      if (status && !hookApplies(hook.when, status)) {
        context.log(
          'info',
          `${label} not run: it runs on ${hook.when}, the job so far is a ${status}`,
        );
        continue;
      }
      const step = context.step(label, 'hook');
      const result = await this.execute(hook, {
        stage,
        backup: context.job.backup ?? '',
        jobId: context.job.id,
        status,
        signal,
        log: (level, message, source) => step.log(level, message, source),
      });
      // A stopped job: the runner marks the running step canceled and the job with it.
      if (signal.aborted) return { ...outcome, aborted: true };
      if (result.ok) {
        step.succeed();
        continue;
      }
      // Step errors and warnings reach the API without the log's scrubbing: scrub here.
      const message = this.scrubber.scrub(`${label}: ${result.reason}`);
      if (hook.onFailure === 'ignore') {
        step.warn({
          code: HOOK_FAILED,
          message: `${message} (ignored: onFailure ignore)`,
        });
        context.warn(message);
        continue;
      }
      step.fail({ code: HOOK_FAILED, message });
      outcome.failures.push({ code: HOOK_FAILED, message });
      if (hook.onFailure === 'break') outcome.broke = true;
    }
    return outcome;
  }

  private async execute(hook: HookConfig, run: HookInvocation): Promise<HookResult> {
    try {
      return hook.type === 'http'
        ? await this.http.run(hook, run)
        : await this.commands.run(hook, run);
    } catch (error) {
      // The runners report failures as results; anything thrown is a bug, still the hook's.
      return { ok: false, reason: describeFailure(error).message };
    }
  }
}
