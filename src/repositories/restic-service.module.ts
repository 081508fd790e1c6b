import { Module } from '@nestjs/common';
import { ProcessModule } from '../process/process.module';
import { ResticService } from './restic.service';

/** ResticService for every module that runs restic; needs LiveConfig from the configuration module. */
@Module({
  imports: [ProcessModule],
  providers: [ResticService],
  exports: [ResticService],
})
export class ResticServiceModule {}
