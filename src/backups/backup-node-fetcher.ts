import { Injectable } from '@nestjs/common';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import { toBackupModel } from './backup-views';
import { BackupsService } from './backups.service';
import type { BackupModel } from './models/backup.model';

@Injectable()
@NodeFetcherProvider()
export class BackupNodeFetcher implements NodeFetcher {
  readonly type = 'Backup';
  constructor(private readonly backups: BackupsService) {}

  fetch([name]: string[]): BackupModel | null {
    const backup = this.backups.find(name);
    return backup ? toBackupModel(backup) : null;
  }
}
