import { Module } from '@nestjs/common';
import { BackupsModule } from '../backups/backups.module';
import { JobsModule } from '../jobs/jobs.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { StateModule } from '../state/state.module';
import { FileWatcher } from './file-watcher';
import { BackupScheduleResolver, RepositoryScheduleResolver } from './schedule-fields.resolver';
import { ScheduleTrigger } from './schedule-trigger.service';
import { WatchTrigger } from './watch-trigger.service';

/** Schedules and file watchers: they only ask for jobs, through the backups and repositories services. */
@Module({
  imports: [JobsModule, BackupsModule, RepositoriesModule, StateModule],
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
