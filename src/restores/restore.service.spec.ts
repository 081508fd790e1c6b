import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HenConfig } from '../config/config.types';
import type { JobRunner } from '../jobs/job-runner.service';
import type { JobRequest } from '../jobs/job.types';
import type { RepositoriesService } from '../repositories/repositories.service';
import { RestoreService } from './restore.service';
import { InvalidPathError } from '../snapshots/snapshot-paths';
import { SnapshotNotFoundError, SnapshotRefs } from '../snapshots/snapshot-refs';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import { LiveConfig } from '../config/live-config';

describe('RestoreService', () => {
  let root: string;
  let allowed: string;
  const requests: JobRequest[] = [];

  const service = (allowedTargets: string[]) =>
    new RestoreService(
      new LiveConfig({ restore: { allowedTargets } } as unknown as HenConfig),
      { get: () => ({}) } as unknown as RepositoriesService,
      {
        enqueue: (request: JobRequest) => {
          requests.push(request);
          return { id: 1 };
        },
      } as unknown as JobRunner,
      new SnapshotRefs({
        list: () => Promise.resolve([{ id: `abcdef12${'0'.repeat(56)}` }]),
      } as unknown as SnapshotsService),
    );
  const input = (target: string, more: Record<string, unknown> = {}) => ({
    repository: 'local',
    snapshot: 'ABCDEF12',
    target,
    ...more,
  });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hen-restore-svc-'));
    allowed = join(root, 'allowed');
    await mkdir(join(allowed, 'inside'), { recursive: true });
    await symlink(root, join(allowed, 'out'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('queues a normalised request with priority superior by default', async () => {
    await service([allowed]).request(input(`${allowed}//new/folder/`), 'api');
    expect(requests.at(-1)).toEqual({
      operation: 'restore',
      repository: 'local',
      trigger: 'api',
      priority: 10,
      params: {
        snapshotId: `abcdef12${'0'.repeat(56)}`,
        target: join(allowed, 'new', 'folder'),
        include: [],
        exclude: [],
      },
    });
  });

  it('accepts the allowed folder itself and anything below it, and any absolute target without a list', async () => {
    await expect(service([allowed]).validate(input(allowed))).resolves.toBeDefined();
    await expect(service([]).validate(input('/var/tmp/x'))).resolves.toBeDefined();
  });

  it.each([
    ['outside the allowed folders', () => join(root, 'elsewhere'), /allowedTargets/],
    ['a sibling sharing the prefix', () => `${allowed}-2`, /allowedTargets/],
    ['a link inside leading out', () => join(allowed, 'out', 'x'), /link/],
    ['a .. escape', () => `${allowed}/../x`, /\.\./],
    ['relative', () => 'allowed/x', /absolute/],
  ])('refuses a target %s', async (_what, target, message) => {
    await expect(service([allowed]).validate(input(target()))).rejects.toThrow(message);
  });

  it('refuses the root, bad ids, too many or too long patterns, and include with exclude', async () => {
    const open = service([]);
    await expect(open.validate(input('/'))).rejects.toThrow(InvalidPathError);
    await expect(open.validate(input('/x', { snapshot: 'newest' }))).rejects.toThrow(/hex/);
    await expect(open.validate(input('/x', { snapshot: 'deadbeef' }))).rejects.toThrow(
      SnapshotNotFoundError,
    );
    await expect(
      open.validate(input('/x', { include: Array.from({ length: 101 }, () => 'a') })),
    ).rejects.toThrow(/at most 100/);
    await expect(open.validate(input('/x', { exclude: [''] }))).rejects.toThrow(/1 to 4096/);
    await expect(open.validate(input('/x', { include: ['a'], exclude: ['b'] }))).rejects.toThrow(
      /not both/,
    );
  });
});
