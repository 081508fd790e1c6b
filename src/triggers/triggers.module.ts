import { Module } from '@nestjs/common';
import { BackupsModule } from '../backups/backups.module';
import { JobsModule } from '../jobs/jobs.module';
import { RepositoriesModule } from '../repositories/repositories.module';

/** Schedules and file watchers: they only ask for jobs, through the backups and repositories services. */
@Module({
  imports: [JobsModule, BackupsModule, RepositoriesModule],
  providers: [],
  exports: [],
})
export class TriggersModule {}
