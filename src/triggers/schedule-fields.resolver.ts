import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { DateTime } from '../common/graphql/scalars';
import { BackupModel } from '../backups/models/backup.model';
import { RepositoryModel } from '../repositories/models/repository.model';
import { scheduleKey, type ScheduledOperation } from './schedule-definitions';
import { ScheduleTrigger } from './schedule-trigger.service';

const NEXT_RUN_NOTE =
  'null without schedules, and while a run is queued or running (the next time follows from when it ends)';

/**
 * Schedule times on Backup and Repository. They live here rather than in those modules' resolvers
 * because the triggers module depends on them, not the other way round.
 */
@Resolver(() => BackupModel)
export class BackupScheduleResolver {
  constructor(private readonly trigger: ScheduleTrigger) {}

  @ResolveField(() => DateTime, {
    nullable: true,
    description: `next scheduled backup: ${NEXT_RUN_NOTE}`,
  })
  nextRunAt(@Parent() backup: BackupModel): Date | null {
    return nextAt(this.trigger, 'backup', backup.name);
  }

  @ResolveField(() => DateTime, {
    nullable: true,
    description: `next scheduled prune: ${NEXT_RUN_NOTE}`,
  })
  nextPruneAt(@Parent() backup: BackupModel): Date | null {
    return nextAt(this.trigger, 'prune', backup.name);
  }
}

@Resolver(() => RepositoryModel)
export class RepositoryScheduleResolver {
  constructor(private readonly trigger: ScheduleTrigger) {}

  @ResolveField(() => DateTime, {
    nullable: true,
    description: `next scheduled check: ${NEXT_RUN_NOTE}`,
  })
  nextCheckAt(@Parent() repository: RepositoryModel): Date | null {
    return nextAt(this.trigger, 'check', repository.name);
  }
}

function nextAt(trigger: ScheduleTrigger, operation: ScheduledOperation, subject: string) {
  return trigger.nextRunAt(scheduleKey(operation, subject)) ?? null;
}
