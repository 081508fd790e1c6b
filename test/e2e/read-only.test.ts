import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { countingRestic, resticDirect } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import type { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd } from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'read-only-password-8812';

/**
 * A daemon started with --read-only on a repository another tool wrote: it browses and restores,
 * and refuses everything that would write to the repository.
 */
describe('a read-only daemon', () => {
  const dir = tempDir('e2e-read-only');
  const source = join(dir.path, 'source');
  const repo = join(dir.path, 'repo');
  const restores = join(dir.path, 'restores');
  const restic = countingRestic(dir.path);
  let started: StartedDaemon;
  let client: GraphQLTestClient;
  let snapshotId: string;

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

    started = await startDaemon(
      dir.path,
      {
        hostname: 'ro-host',
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
      },
      { env: { RESTIC_BIN: restic.bin }, args: ['--read-only'] },
    );
    client = started.client;
  });

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('indexes the snapshots at startup, and creates no other job, nor from schedules or watchers', async () => {
    // index jobs only read the repository (restic ls and snapshots run with --no-lock)
    await waitFor(
      async () =>
        (
          await client.data(
            `query($id: String!) { snapshot(repository: "local", snapshot: $id) { index { state } } }`,
            { id: snapshotId },
          )
        ).snapshot.index.state === 'INDEXED',
      'the snapshot indexed',
      60_000,
    );
    await waitFor(async () => {
      const { status } = await client.data(`{ status { queuedJobs runningJobs } }`);
      return status.queuedJobs === 0 && status.runningJobs === 0;
    }, 'no job waiting or running');
    const { status } = await client.data(`{ status { readOnly } }`);
    expect(status).toEqual({ readOnly: true });
    // every schedule above is due each second, and a change would arm the watcher
    writeFileSync(join(source, 'new.txt'), 'changed\n');
    await new Promise((r) => setTimeout(r, 3_000));
    const { jobs } = await client.data(
      `{ jobs(first: 10) { edges { node { operation trigger state } } } }`,
    );
    expect(jobs.edges.map((e: any) => e.node)).toEqual([
      { operation: 'INDEX', trigger: 'STARTUP', state: 'SUCCEEDED' },
    ]);
    for (const line of restic.calls().filter((l) => / ls /.test(l))) {
      expect(line).toContain('--no-lock');
    }
  });

  it.each([
    ['runBackup', `mutation { runBackup(name: "files") { id } }`],
    ['pruneBackup', `mutation { pruneBackup(name: "files") { id } }`],
    ['checkRepository', `mutation { checkRepository(name: "local") { id } }`],
    ['unlockRepository', `mutation { unlockRepository(name: "local") { id } }`],
  ])('refuses %s with FORBIDDEN', async (_name, mutation) => {
    const result = await client.request(mutation);
    expect(Object.values(result.data ?? {})).toEqual([null]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions?.code).toBe('FORBIDDEN');
    expect(result.errors![0].message).toContain('the daemon is read-only');
  });

  it('lists and browses the snapshots without locking the repository', async () => {
    const { snapshots } = await client.data(
      `{ snapshots(repository: "local") { edges { node { snapshotId } } } }`,
    );
    expect(snapshots.edges.map((e: any) => e.node.snapshotId)).toEqual([snapshotId]);
    const { snapshot } = await client.data(
      `query($id: String!, $path: String) { snapshot(repository: "local", snapshot: $id) {
        files(path: $path) { edges { node { name type } } } } }`,
      { id: snapshotId, path: join(source, 'notes') },
    );
    expect(snapshot.files.edges.map((e: any) => e.node)).toEqual([
      { name: 'todo.txt', type: 'FILE' },
    ]);
    const snapshotRuns = restic.calls().filter((line) => /\bsnapshots\b/.test(line));
    expect(snapshotRuns.length).toBeGreaterThan(0);
    for (const line of snapshotRuns) expect(line).toContain('--no-lock');
  });

  it('restores a snapshot into a folder', async () => {
    const target = join(restores, 'full');
    const { restoreSnapshot } = await client.data(
      `mutation($input: RestoreSnapshotInput!) { restoreSnapshot(input: $input) { id } }`,
      { input: { repository: 'local', snapshot: snapshotId, target } },
    );
    const job = await waitForEnd(client, restoreSnapshot.id, 40_000);
    expect([job.state, job.operation]).toEqual(['SUCCEEDED', 'RESTORE']);
    expect(readFileSync(join(target, source, 'notes', 'todo.txt'), 'utf8')).toBe('restore me\n');
    const restoreRuns = restic.calls().filter((line) => / restore /.test(line));
    expect(restoreRuns).toHaveLength(1);
    for (const line of restic.calls().filter((l) => / (restore|stats|ls) /.test(l))) {
      expect(line).toContain('--no-lock');
    }
  });

  it('never ran a restic command that writes to the repository, nor left a lock', () => {
    for (const line of restic.calls()) {
      expect(line).not.toMatch(/(^| )(init|backup|forget|prune|check|unlock)( |$)/);
    }
    expect(readdirSync(join(repo, 'locks'))).toEqual([]);
  });
});
