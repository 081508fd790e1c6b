import { Injectable } from '@nestjs/common';
import { ResticService } from '../repositories/restic.service';
import type { ResticSnapshot } from '../restic/restic.types';
import { RepositoriesService } from '../repositories/repositories.service';

export const BACKUP_TAG_PREFIX = 'backup=';

export const backupTag = (backup: string): string => `${BACKUP_TAG_PREFIX}${backup}`;

export function backupOf(snapshot: Pick<ResticSnapshot, 'tags'>): string | null {
  const tag = snapshot.tags.find((t) => t.startsWith(BACKUP_TAG_PREFIX));
  return tag ? tag.slice(BACKUP_TAG_PREFIX.length) : null;
}

/** Snapshots of a repository as restic lists them, newest first. */
@Injectable()
export class SnapshotsService {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
  ) {}

  async list(
    repository: string,
    filter: { backup?: string; host?: string; tags?: string[] },
    signal?: AbortSignal,
  ): Promise<ResticSnapshot[]> {
    const target = this.repositories.target(repository);
    const snapshots = await this.restic.snapshots(
      target,
      {
        host: filter.host,
        tags: [...(filter.backup ? [backupTag(filter.backup)] : []), ...(filter.tags ?? [])],
      },
      { signal },
    );
    return snapshots.sort(
      (a, b) => Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id),
    );
  }
}
