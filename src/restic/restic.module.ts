import { Module } from '@nestjs/common';
import { ProcessRunner } from './process-runner';
import { ResticService } from './restic.service';

/** Needs LiveConfig from the configuration module. */
@Module({
  providers: [ProcessRunner, ResticService],
  exports: [ResticService, ProcessRunner],
})
export class ResticModule {}
