import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Daemon, freePort } from './support/daemon';
import { resticDirect, tempDir } from './support/fixtures';
import { GraphQLTestClient } from './support/graphql-client';

const PASSWORD = 'read-only-password-8812';
const SYSTEM_RESTIC = process.env.RESTIC_BIN || '/usr/bin/restic';

/**
 * A daemon started with --read-only on a repository another tool wrote: it browses and restores,
 * and refuses everything that would write to the repository.
 */
describe('a read-only daemon', () => {
  const dir = tempDir('e2e-read-only');
  const source = join(dir.path, 'source');
  const repo = join(dir.path, 'repo');
  const restores = join(dir.path, 'restores');
  const calls = join(dir.path, 'restic-calls.log');
  let daemon: Daemon;
  let client: GraphQLTestClient;
  let snapshotId: string;

  const resticCalls = (): string[] =>
    existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean) : [];

  beforeAll(async () => {
    mkdirSync(join(source, 'notes'), { recursive: true });
    writeFileSync(join(source, 'notes', 'todo.txt'), 'restore me\n');
    writeFileSync(join(source, 'a.bin'), Buffer.alloc(5000, 7));
    // the snapshots are made beforehand, by restic itself
    resticDirect(repo, PASSWORD, ['init']);
    resticDirect(repo, PASSWORD, ['backup', '--host', 'ro-host', source]);
    const snapshots = JSON.parse(resticDirect(repo, PASSWORD, ['snapshots', '--json'])) as {
      id: string;
    }[];
    snapshotId = snapshots[0].id;

    const wrapper = join(dir.path, 'restic-counting');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${SYSTEM_RESTIC}' "$@"\n`, {
      mode: 0o755,
    });
    const port = await freePort();
    const configPath = join(dir.path, 'config.yaml');
    writeFileSync(
      configPath,
      stringify({
        hostname: 'ro-host',
        dataDir: join(dir.path, 'state'),
        api: { host: '127.0.0.1', port },
        restore: { allowedTargets: [restores] },
        repositories: {
          local: { location: repo, password: PASSWORD, check: { schedules: ['1s'] } },
        },
        backups: {
          files: {
            paths: [source],
            repositories: ['local'],
            schedules: ['1s'],
            watch: { wait: { min: '1s', max: '2s' } },
            retention: { keepLast: 1 },
            prune: { schedules: ['1s'] },
          },
        },
      }),
    );
    daemon = Daemon.spawn(['--config', configPath, '--read-only'], { RESTIC_BIN: wrapper });
    await daemon.waitForLog(/listening on http/, 60_000);
    client = new GraphQLTestClient(port);
  });

  afterAll(async () => {
    await client?.close();
    if (daemon) await daemon.stop();
    dir.cleanup();
  });

  it('says so in status, and creates no job at startup nor from schedules or watchers', async () => {
    const { status } = await client.data(`{ status { readOnly queuedJobs runningJobs } }`);
    expect(status).toEqual({ readOnly: true, queuedJobs: 0, runningJobs: 0 });
    // every schedule above is due each second, and a change would arm the watcher
    writeFileSync(join(source, 'new.txt'), 'changed\n');
    await new Promise((r) => setTimeout(r, 3_000));
    const { jobs } = await client.data(`{ jobs(first: 10) { edges { node { id operation } } } }`);
    expect(jobs.edges).toEqual([]);
  });

  it.each([
    ['runBackup', `mutation { runBackup(name: "files") { id } }`],
    ['pruneBackup', `mutation { pruneBackup(name: "files") { id } }`],
    ['checkRepository', `mutation { checkRepository(name: "local") { id } }`],
    ['unlockRepository', `mutation { unlockRepository(name: "local") { id } }`],
  ])('refuses %s with FORBIDDEN', async (_name, mutation) => {
    const result = await client.request(mutation);
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions?.code).toBe('FORBIDDEN');
    expect(result.errors![0].message).toContain('the daemon is read-only');
  });

  it('lists and browses the snapshots without locking the repository', async () => {
    const { snapshots } = await client.data(
      `{ snapshots(repository: "local") { edges { node { id } } } }`,
    );
    expect(snapshots.edges.map((e: any) => e.node.id)).toEqual([snapshotId]);
    const { snapshotFiles } = await client.data(
      `query($id: String!, $path: String) { snapshotFiles(repository: "local", snapshotId: $id, path: $path) {
        edges { node { name type } } } }`,
      { id: snapshotId, path: join(source, 'notes') },
    );
    expect(snapshotFiles.edges.map((e: any) => e.node)).toEqual([
      { name: 'todo.txt', type: 'FILE' },
    ]);
    const snapshotRuns = resticCalls().filter((line) => /\bsnapshots\b/.test(line));
    expect(snapshotRuns.length).toBeGreaterThan(0);
    for (const line of snapshotRuns) expect(line).toContain('--no-lock');
  });

  it('restores a snapshot into a folder', async () => {
    const target = join(restores, 'full');
    const { restoreSnapshot } = await client.data(
      `mutation($input: RestoreSnapshotInput!) { restoreSnapshot(input: $input) { id } }`,
      { input: { repository: 'local', snapshotId, target } },
    );
    const deadline = Date.now() + 40_000;
    let job: any;
    for (;;) {
      ({ job } = await client.data(`query($id: ID!) { job(id: $id) { state operation } }`, {
        id: restoreSnapshot.id,
      }));
      if (!['QUEUED', 'RUNNING'].includes(job.state) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toEqual({ state: 'SUCCEEDED', operation: 'RESTORE' });
    expect(readFileSync(join(target, source, 'notes', 'todo.txt'), 'utf8')).toBe('restore me\n');
    const restoreRuns = resticCalls().filter((line) => / restore /.test(line));
    expect(restoreRuns).toHaveLength(1);
    for (const line of resticCalls().filter((l) => / (restore|stats|ls) /.test(l))) {
      expect(line).toContain('--no-lock');
    }
  });

  it('never ran a restic command that writes to the repository, nor left a lock', () => {
    for (const line of resticCalls()) {
      expect(line).not.toMatch(/(^| )(init|backup|forget|prune|check|unlock)( |$)/);
    }
    expect(readdirSync(join(repo, 'locks'))).toEqual([]);
  });
});
