import { SetMetadata } from '@nestjs/common';

export const WRITES_REPOSITORY = 'hen:writes-repository';

/**
 * Marks a mutation that queues work writing to a repository (backup, prune, check's exclusive
 * lock, unlock). A read-only daemon refuses it with FORBIDDEN, in RoleGuard.
 */
export const WritesRepository = () => SetMetadata(WRITES_REPOSITORY, true);

export const READ_ONLY_MESSAGE =
  'the daemon is read-only: it does not run jobs that write to a repository';
