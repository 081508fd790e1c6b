import { Injectable } from '@nestjs/common';
import { PRIORITY } from '../config/priority';
import { Clock } from '../common/clock';
import { JobEvents } from './job-events';
import { JobHandlers } from './job-handlers';
import { repositoriesIn } from './job-locks';
import { JobLogService } from './job-log.service';
import { JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import { type JobOperation } from './job.types';

/** Operations that write to a repository (check takes an exclusive lock): none on a read-only daemon. */
export const WRITING_OPERATIONS: readonly JobOperation[] = [
  'backup',
  'init',
  'unlock',
  'prune',
  'check',
  'forget',
];

/**
 * Puts the state left by the previous run in order: jobs that were running when the daemon died
 * are marked interrupted and their repositories queued for unlock (restic leaves a lock behind
 * when it is killed), and jobs that were waiting wait again.
 */
@Injectable()
export class JobRecovery {
  constructor(
    private readonly store: JobStore,
    private readonly runner: JobRunner,
    private readonly handlers: JobHandlers,
    private readonly logs: JobLogService,
    private readonly events: JobEvents,
    private readonly clock: Clock,
  ) {}

  /**
   * Read-only (see HenConfig.readOnly): no unlock is queued, and waiting jobs that would write to
   * a repository are canceled rather than queued again.
   */
  recover({ readOnly = false }: { readOnly?: boolean } = {}): {
    interrupted: number;
    requeued: number;
  } {
    const now = new Date(this.clock.now()).toISOString();
    const interrupted = this.store.inState('running');
    // Read before queueing unlocks, which are stored as waiting jobs themselves.
    const waiting = this.store.inState('queued');
    const toUnlock = new Set<string>();
    for (const job of interrupted) {
      job.state = 'interrupted';
      job.endedAt = now;
      job.error = { code: 'INTERRUPTED', message: 'the daemon stopped while the job ran' };
      for (const step of job.steps) {
        if (step.state === 'running' || step.state === 'pending') {
          step.state = 'interrupted';
          step.endedAt = now;
        }
      }
      job.updatedAt = now;
      this.store.save(job);
      this.events.updated(job);
      this.logs.write(
        job,
        'warn',
        'marked interrupted at startup: the daemon stopped while it ran',
      );
      this.logs.forget(job.id);
      if (this.handlers.has(job.operation)) {
        for (const repository of repositoriesIn(this.handlers.get(job.operation).locks(job))) {
          toUnlock.add(repository);
        }
      }
    }
    for (const repository of readOnly ? [] : toUnlock) {
      this.runner.enqueue({
        operation: 'unlock',
        repository,
        trigger: 'startup',
        priority: PRIORITY.next,
      });
    }
    let requeued = 0;
    for (const job of waiting) {
      if (readOnly && WRITING_OPERATIONS.includes(job.operation)) {
        job.state = 'canceled';
        job.endedAt = now;
        job.error = { code: 'READ_ONLY', message: 'the daemon is read-only' };
        job.updatedAt = now;
        this.store.save(job);
        this.events.updated(job);
        this.logs.write(job, 'warn', 'canceled at startup: the daemon is read-only');
        this.logs.forget(job.id);
      } else {
        this.runner.requeue(job);
        requeued++;
      }
    }
    return { interrupted: interrupted.length, requeued };
  }
}
