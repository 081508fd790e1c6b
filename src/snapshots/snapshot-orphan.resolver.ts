import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { LiveConfig } from '../config/live-config';
import { SnapshotModel } from './models/snapshot.model';

/** Marks snapshots left by backup definitions that the configuration no longer holds. */
@Resolver(() => SnapshotModel)
export class SnapshotOrphanResolver {
  constructor(private readonly config: LiveConfig) {}

  @ResolveField(() => Boolean, {
    description:
      'true when the backup definition that made it (its `backup=` tag) is no longer configured: no retention or schedule of the daemon touches it any more; false for snapshots the daemon did not make',
  })
  orphaned(@Parent() snapshot: SnapshotModel): boolean {
    const name = snapshot.backupName;
    return name !== null && !Object.hasOwn(this.config.current.backups, name);
  }
}
