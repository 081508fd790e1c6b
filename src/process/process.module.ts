import { Module } from '@nestjs/common';
import { ProcessRunner } from './process-runner';

/** The one way the daemon starts programs: restic, hook commands and notification commands. */
@Module({
  providers: [ProcessRunner],
  exports: [ProcessRunner],
})
export class ProcessModule {}
