import { Injectable } from '@nestjs/common';
import { globalId } from '../common/graphql/global-id';
import type { BackupConfig } from '../config/config.types';
import { BackupsService } from './backups.service';
import type { BackupModel } from './models/backup.model';

export function toBackupModel(backup: BackupConfig): BackupModel {
  return {
    id: globalId('Backup', backup.name),
    name: backup.name,
    configured: true,
    paths: backup.paths,
    excludes: backup.excludes,
    schedules: backup.schedules.map((s) => s.source),
    priority: backup.priority,
    watched: backup.watch !== null,
    repositoryNames: backup.repositories,
  };
}

/** Backups as relations: a definition that is no longer configured still answers, marked so. */
@Injectable()
export class BackupViews {
  constructor(private readonly backups: BackupsService) {}

  backup(name: string): BackupModel {
    const backup = this.backups.find(name);
    return backup
      ? toBackupModel(backup)
      : {
          id: globalId('Backup', name),
          name,
          configured: false,
          paths: [],
          excludes: [],
          schedules: [],
          priority: null,
          watched: false,
          repositoryNames: [],
        };
  }
}
