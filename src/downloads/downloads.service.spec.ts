import { SnapshotRefs } from '../snapshots/snapshot-refs';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import type { Writable } from 'node:stream';
import { makeRepositoryConfig, makeTestConfig } from '../../test/support/test-config';
import { FakeClock } from '../../test/support/fake-clock';
import { RepositoriesService } from '../repositories/repositories.service';
import { ResticError } from '../restic/restic-error';
import type { ResticService } from '../repositories/restic.service';
import type { DumpRequest, ResticCallOptions, ResticLsNode } from '../restic/restic.types';
import { DownloadRequestError } from './download-request';
import { DownloadsService } from './downloads.service';
import { LiveConfig } from '../config/live-config';

const FULL = 'c0ff68ed482d29e16dace17ca766dd1548a95e69e24a9a9277bc752bd583ef49';
const TTL = 60_000;

const node = (path: string, type: string, size = 0): ResticLsNode => ({
  name: path.split('/').pop()!,
  type,
  path,
  size,
  mtime: '2026-01-01T00:00:00Z',
  mode: 0o644,
});

/** What restic would say about each path of one snapshot. */
class FakeRestic {
  readonly dumps: { req: DumpRequest; opts: ResticCallOptions }[] = [];
  nodes: Record<string, ResticLsNode> = {
    '/home/me/a.txt': node('/home/me/a.txt', 'file', 1234),
    '/home/me': node('/home/me', 'dir'),
    '/home/me/link': node('/home/me/link', 'symlink'),
  };
  failure?: Error;

  findNode(_target: unknown, snapshotId: string, path: string) {
    if (this.failure) return Promise.reject(this.failure);
    if (!FULL.startsWith(snapshotId)) return Promise.resolve({ snapshotId: '', node: null });
    return Promise.resolve({ snapshotId: FULL, node: this.nodes[path] ?? null });
  }

  dump(_target: unknown, req: DumpRequest, _output: Writable, opts: ResticCallOptions) {
    this.dumps.push({ req, opts });
    return Promise.resolve();
  }
}

describe('DownloadsService', () => {
  let clock: FakeClock;
  let restic: FakeRestic;
  let service: DownloadsService;

  beforeEach(() => {
    clock = new FakeClock();
    restic = new FakeRestic();
    const config = makeTestConfig({
      limits: { download: 2048 },
      repositories: {
        nas: makeRepositoryConfig('nas', '/srv/repo', { limits: { download: 1024 } }),
      },
    });
    service = new DownloadsService(
      new LiveConfig(config),
      new RepositoriesService(new LiveConfig(config)),
      restic as unknown as ResticService,
      new SnapshotRefs({} as SnapshotsService),
      clock,
      TTL,
    );
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => error as DownloadRequestError,
    );

  it('makes a link to a file, with its size, the full snapshot id and an expiry', async () => {
    const created = await service.create('nas', 'C0FF68ED', '/home/me//a.txt', 'FILE', 'ops');
    expect(created.url).toMatch(/^\/downloads\/[A-Za-z0-9_-]{43}$/);
    expect(created.expiresAt).toBe(new Date(clock.now() + TTL).toISOString());
    expect(created.download).toMatchObject({
      repository: 'nas',
      snapshotId: FULL,
      path: '/home/me/a.txt',
      format: 'FILE',
      filename: 'a.txt',
      contentType: 'application/octet-stream',
      size: 1234,
      requestedBy: 'ops',
    });
  });

  it('serves a link once, before it expires', async () => {
    const first = await service.create('nas', FULL, '/home/me', 'ZIP', 'ops');
    const second = await service.create('nas', FULL, '/', 'TAR', 'ops');
    const token = (url: string) => url.split('/').pop()!;
    const taken = service.take(token(first.url));
    expect(taken).toMatchObject({ status: 'ok', download: { filename: 'me.zip', size: null } });
    expect(service.take(token(first.url)).status).toBe('used');
    clock.advance(TTL);
    expect(service.take(token(second.url)).status).toBe('expired');
  });

  it('dumps the pinned snapshot with the archive format and the repository limits', async () => {
    const { download } = await service.create('nas', 'c0ff68ed', '/home/me', 'TAR', 'ops');
    await service.stream(download, {} as Writable, new AbortController().signal);
    const { download: file } = await service.create(
      'nas',
      'c0ff68ed',
      '/home/me/a.txt',
      'FILE',
      'ops',
    );
    await service.stream(file, {} as Writable, new AbortController().signal);
    expect(restic.dumps.map((d) => d.req)).toEqual([
      { snapshotId: FULL, path: '/home/me', archive: 'tar' },
      { snapshotId: FULL, path: '/home/me/a.txt', archive: undefined },
    ]);
    expect(restic.dumps[0].opts.limits).toMatchObject({ download: 1024 });
  });

  it('refuses what cannot be served, saying why', async () => {
    const cases: [string, string, string, 'FILE' | 'TAR' | 'ZIP', string, RegExp][] = [
      ['nas', FULL, '/home/me', 'FILE', 'BAD_USER_INPUT', /is a folder/],
      ['nas', FULL, '/home/me/a.txt', 'TAR', 'BAD_USER_INPUT', /not a folder/],
      ['nas', FULL, '/home/me/link', 'FILE', 'BAD_USER_INPUT', /symlink/],
      ['nas', FULL, '/home/../etc/passwd', 'FILE', 'BAD_USER_INPUT', /\.\./],
      ['nas', FULL, 'home/me', 'TAR', 'BAD_USER_INPUT', /absolute/],
      ['nas', 'newest', '/home/me', 'TAR', 'BAD_USER_INPUT', /hex digits/],
      ['nas', FULL, '/home/other', 'TAR', 'NOT_FOUND', /no "\/home\/other"/],
      ['nas', 'deadbeef', '/home/me', 'TAR', 'NOT_FOUND', /no snapshot "deadbeef"/],
      ['elsewhere', FULL, '/home/me', 'TAR', 'NOT_FOUND', /no repository named "elsewhere"/],
    ];
    for (const [repository, id, path, format, code, message] of cases) {
      const error = await failure(service.create(repository, id, path, format, 'ops'));
      expect({ path, code: error.code }).toEqual({ path, code });
      expect(error.message).toMatch(message);
    }
  });

  it('passes on REPOSITORY_LOCKED (answered CONFLICT) while an exclusive job holds the repository', async () => {
    restic.failure = new ResticError('REPOSITORY_LOCKED', 'repository "nas" is locked');
    const error = await failure(service.create('nas', FULL, '/home/me', 'TAR', 'ops'));
    expect(error.code).toBe('REPOSITORY_LOCKED');
  });

  it('stops running dumps when the daemon stops', async () => {
    const { download } = await service.create('nas', FULL, '/home/me', 'TAR', 'ops');
    let signal: AbortSignal | undefined;
    restic.dump = (_t, _r, _o, opts) =>
      new Promise((_resolve, reject) => {
        signal = opts.signal;
        opts.signal!.addEventListener('abort', () => reject(new ResticError('CANCELED', 'x')));
      });
    const streaming = service.stream(download, {} as Writable, new AbortController().signal);
    await Promise.resolve();
    expect(signal?.aborted).toBe(false);
    service.onModuleDestroy();
    await expect(streaming).rejects.toMatchObject({ code: 'CANCELED' });
  });
});
