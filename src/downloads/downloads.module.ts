import { Module } from '@nestjs/common';
import { RepositoriesModule } from '../repositories/repositories.module';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { ResticServiceModule } from '../repositories/restic-service.module';
import { DOWNLOAD_TTL_MS, downloadTtlFromEnv } from './download-ttl';
import { DownloadsController } from './downloads.controller';
import { DownloadsResolver } from './downloads.resolver';
import { DownloadsService } from './downloads.service';

/** createDownload, and GET /downloads/<token> serving it once through `restic dump`. */
@Module({
  imports: [ResticServiceModule, RepositoriesModule, SnapshotsModule],
  controllers: [DownloadsController],
  providers: [
    { provide: DOWNLOAD_TTL_MS, useFactory: () => downloadTtlFromEnv() },
    DownloadsService,
    DownloadsResolver,
  ],
})
export class DownloadsModule {}
