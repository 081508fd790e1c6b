import type { HenConfig, Schedule } from '../config/config.types';

export type ScheduledOperation = 'backup' | 'prune' | 'check';

/** One thing that runs on schedules: a backup, a backup's prune, or a repository's check. */
export interface ScheduledDefinition {
  /** `backup:<name>`, `prune:<backup>` or `check:<repository>`; the schedule_runs key */
  key: string;
  operation: ScheduledOperation;
  /** the backup name (backup, prune) or repository name (check) */
  subject: string;
  schedules: Schedule[];
}

export const scheduleKey = (operation: ScheduledOperation, subject: string): string =>
  `${operation}:${subject}`;

/** Every definition with at least one schedule, in configuration order. */
export function scheduledDefinitions(config: HenConfig): ScheduledDefinition[] {
  const definitions: ScheduledDefinition[] = [];
  const add = (operation: ScheduledOperation, subject: string, schedules?: Schedule[]) => {
    if (schedules?.length) {
      definitions.push({ key: scheduleKey(operation, subject), operation, subject, schedules });
    }
  };
  for (const backup of Object.values(config.backups)) {
    add('backup', backup.name, backup.schedules);
    add('prune', backup.name, backup.prune?.schedules);
  }
  for (const repository of Object.values(config.repositories)) {
    add('check', repository.name, repository.check?.schedules);
  }
  return definitions;
}

/**
 * The schedule a job counts for, whatever asked for it: a backup run from the API resets the
 * backup's interval just as a scheduled one does. Prune jobs name their backup; checks their
 * repository.
 */
export function scheduleKeyOfJob(job: {
  operation: string;
  backup: string | null;
  repository: string | null;
}): string | null {
  switch (job.operation) {
    case 'backup':
    case 'prune':
      return job.backup === null ? null : scheduleKey(job.operation, job.backup);
    case 'check':
      return job.repository === null ? null : scheduleKey('check', job.repository);
    default:
      return null;
  }
}
