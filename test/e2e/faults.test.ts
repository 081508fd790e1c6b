import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { S3Server } from '../support/servers/s3-server';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import type { GraphQLTestClient } from './support/graphql-client';
import { resticPidsOn, waitForEnd, waitForJobs, waitForProgress } from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'faults-password-5521';

/** Backends that go away, restic that disappears, hooks that hang: the daemon reports and serves on. */
describe('faults around the daemon', () => {
  const dir = tempDir('e2e-faults');
  const local = join(dir.path, 'local');
  const resticCopy = join(dir.path, 'bin', 'restic');
  const s3Before = new S3Server();
  const s3During = new S3Server();
  const hanging: ServerResponse[] = [];
  let hookServer: Server;
  let started: StartedDaemon;
  let client: GraphQLTestClient;

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'small'), 3, 4096);
    writeRandomFiles(join(dir.path, 'big'), 6, 512 * 1024);
    mkdirSync(join(dir.path, 'bin'));
    copyFileSync('/usr/bin/restic', resticCopy);
    await Promise.all([s3Before.start(), s3During.start()]);
    hookServer = createServer((_req, res) => hanging.push(res)); // never answers
    hookServer.listen(0, '127.0.0.1');
    await new Promise((r) => hookServer.once('listening', r));
    const hookPort = (hookServer.address() as AddressInfo).port;
    started = await startDaemon(
      dir.path,
      {
        hostname: 'faults-host',
        jobs: { concurrency: 2, maxDuration: '5m' },
        repositories: {
          local: { location: local, password: PASSWORD },
          s3a: {
            location: s3Before.location('a'),
            password: PASSWORD,
            locationParams: s3Before.locationParams(),
          },
          s3b: {
            location: s3During.location('b'),
            password: PASSWORD,
            locationParams: s3During.locationParams(),
          },
        },
        backups: {
          two: { paths: [join(dir.path, 'small')], repositories: ['local', 's3a'] },
          plain: { paths: [join(dir.path, 'small')], repositories: ['local'] },
          upload: {
            paths: [join(dir.path, 'big')],
            repositories: ['s3b'],
            limits: { upload: '64K' },
            // restic 0.14 retries a vanished backend for many minutes; the job's limit cuts it
            maxDuration: '15s',
          },
          hooked: {
            paths: [join(dir.path, 'small')],
            repositories: ['local'],
            hooks: {
              before: [{ type: 'http', url: `http://127.0.0.1:${hookPort}/`, timeout: '2s' }],
            },
          },
        },
      },
      { env: { RESTIC_BIN: resticCopy } },
    );
    client = started.client;
    await waitForJobs(client, 'INIT', 3);
  }, 60_000);

  afterAll(async () => {
    await started?.stop();
    for (const res of hanging) res.destroy();
    hookServer?.close();
    await Promise.all([s3Before.cleanup(), s3During.cleanup()]);
    dir.cleanup();
  });

  async function run(name: string): Promise<string> {
    const { runBackup } = await client.data(
      `mutation($n: String!) { runBackup(name: $n) { id } }`,
      {
        n: name,
      },
    );
    return runBackup.id;
  }

  it('fails only the S3 step, as BACKEND_UNREACHABLE, when the S3 server is down before the job', async () => {
    await s3Before.stop();
    const job = await waitForEnd(client, await run('two'), 60_000);
    expect(job.state).toBe('FAILED');
    const byRepo = Object.fromEntries(job.steps.map((s: any) => [s.repository, s]));
    expect(byRepo.local).toMatchObject({ state: 'SUCCEEDED', error: null });
    expect(byRepo.s3a.state).toBe('FAILED');
    expect(byRepo.s3a.error.code).toBe('BACKEND_UNREACHABLE');
    expect(byRepo.s3a.error.message).toMatch(/cannot reach the backend of repository "s3a"/);
    expect(job.error.message).toContain('s3a');
    expect(job.error.message).not.toMatch(/\n\s+at /);

    // still serving, and a later backup works
    const later = await waitForEnd(client, await run('plain'));
    expect(later.state).toBe('SUCCEEDED');
  }, 80_000);

  it('stops a backup whose S3 server went away mid-upload at its maxDuration, readably, and serves on', async () => {
    const id = await run('upload');
    await waitForProgress(client, id);
    await s3During.stop();
    const job = await waitForEnd(client, id, 40_000);
    expect(job.state).toBe('FAILED');
    // restic 0.14 keeps retrying the lost backend, so the job's maxDuration is what ends it
    expect(job.error).toEqual({
      code: 'TIMED_OUT',
      message: 'stopped after running longer than 15 s (maxDuration)',
    });
    expect(job.steps[0]).toMatchObject({ repository: 's3b', state: 'CANCELED' });
    await waitFor(() => resticPidsOn(s3During.location('b')).length === 0, 'restic gone', 10_000);
    const { status } = await client.data(`{ status { hostname } }`);
    expect(status.hostname).toBe('faults-host');
  }, 50_000);

  it('cuts an HTTP hook that hangs at its 2s timeout', async () => {
    const started = Date.now();
    const job = await waitForEnd(client, await run('hooked'), 30_000);
    const elapsed = Date.now() - started;
    expect(job.state).toBe('FAILED');
    expect(hanging.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(15_000);
    expect(job.error.code).toBe('HOOK_FAILED');
    expect(job.error.message).toMatch(
      /^before\[0\] http POST http:\/\/127\.0\.0\.1:\d+\/: timed out after 2 s/,
    );
    expect(job.steps).toHaveLength(1); // the backup did not run
  }, 40_000);

  it('fails with RESTIC_NOT_INSTALLED and says how to install when restic disappears at runtime', async () => {
    rmSync(resticCopy);
    const job = await waitForEnd(client, await run('plain'));
    expect(job.state).toBe('FAILED');
    expect(job.error.code).toBe('RESTIC_NOT_INSTALLED');
    expect(job.error.message).toContain('restic was not found');
    expect(job.error.message).toContain('apt-get install restic');
    expect(job.error.message).toContain('RESTIC_BIN');
    expect(job.steps[0].error.code).toBe('RESTIC_NOT_INSTALLED');
    await waitFor(async () => (await client.data(`{ status { hostname } }`)).status !== null);
  }, 40_000);
});
