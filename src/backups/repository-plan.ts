import type { BackupConfig, HenConfig, Limits } from '../config/config.types';
import { combineLimits } from '../config/limits';
import type { RepositoriesService } from '../repositories/repositories.service';
import type { ResticTarget } from '../restic/restic.types';

/** How a backup's job reaches one of its repositories, fixed when the job starts. */
export interface RepositoryPlan {
  name: string;
  target: ResticTarget;
  host: string;
  limits: Limits;
}

/**
 * Takes from the configuration in force everything a job of `backup` needs per repository.
 * Called before the job's first await, so that a reload while it runs changes nothing under it.
 */
export function planRepositories(
  config: HenConfig,
  repositories: RepositoriesService,
  backup: BackupConfig,
): RepositoryPlan[] {
  return backup.repositories.map((name) => ({
    name,
    target: repositories.target(name),
    host: config.hostname,
    limits: combineLimits(config.limits, repositories.get(name).limits, backup.limits),
  }));
}
