import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { FileWatcher } from './file-watcher';
import { BackupScheduleResolver, RepositoryScheduleResolver } from './schedule-fields.resolver';
import { ScheduleTrigger } from './schedule-trigger.service';
import { WatchTrigger } from './watch-trigger.service';

/**
 * Schedules and file watchers: they only emit events (common/events) that the backups and
 * repositories services turn into queued jobs, and import nothing from those layers.
 */
@Module({
  imports: [StateModule],
  providers: [
    ScheduleTrigger,
    BackupScheduleResolver,
    RepositoryScheduleResolver,
    FileWatcher,
    WatchTrigger,
  ],
  exports: [ScheduleTrigger, WatchTrigger],
})
export class TriggersModule {}
