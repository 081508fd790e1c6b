import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import type { GraphQLTestClient } from './support/graphql-client';
import { listJobs, waitForEnd, waitForJobs } from './support/wait';

const PASSWORD = 'operations-password-8842';
const OTHER_PASSWORD = 'not-the-configured-one-1234';

/** Backups across several repositories, retention, checks and unlock, through GraphQL only. */
describe('repository operations through the daemon', () => {
  const dir = tempDir('e2e-ops');
  const good = join(dir.path, 'good');
  const foreign = join(dir.path, 'foreign');
  const damaged = join(dir.path, 'damaged');
  let started: StartedDaemon;
  let client: GraphQLTestClient;
  /** Waits until the job has ended; with its snapshots and its steps' summaries. */
  const ended = (id: string) => waitForEnd(client, id, 40_000, 'snapshotIds steps { summary }');

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 3, 4096);
    // A repository that exists with another password: the daemon must say so, not "initialised".
    resticDirect(foreign, OTHER_PASSWORD, ['init']);
    started = await startDaemon(dir.path, {
      hostname: 'ops-host',
      repositories: {
        good: { location: good, password: PASSWORD },
        foreign: { location: foreign, password: PASSWORD },
        damaged: { location: damaged, password: PASSWORD, check: { readDataSubset: '100%' } },
      },
      backups: {
        both: { paths: [join(dir.path, 'data')], repositories: ['good', 'foreign'] },
        kept: {
          paths: [join(dir.path, 'data')],
          repositories: ['good'],
          retention: { keepLast: 1 },
        },
        fragile: { paths: [join(dir.path, 'data')], repositories: ['damaged'] },
      },
    });
    client = started.client;
    // the startup init of each of the three repositories
    await waitForJobs(client, 'INIT', 3);
  });

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('reports a wrong password at startup as such', async () => {
    const job = (await listJobs(client, ['INIT'])).find((j) => j.repository === 'foreign');
    expect(job.state).toBe('FAILED');
    expect(job.error.code).toBe('WRONG_PASSWORD');
    expect(job.error.message).not.toContain(PASSWORD);
    expect(job.error.message).not.toMatch(/already/i);
    const listing = await client.request(
      `{ snapshots(repository: "foreign") { edges { cursor } } }`,
    );
    expect(listing.errors?.[0]?.extensions?.code).toBe('WRONG_PASSWORD');
    expect(listing.errors?.[0]?.message).toMatch(/wrong password/i);
    expect(JSON.stringify(listing)).not.toContain(PASSWORD);
  });

  it('backs up to the repositories that work when another fails, and fails the job', async () => {
    const { runBackup } = await client.data(`mutation { runBackup(name: "both") { id } }`);
    const job = await ended(runBackup.id);
    expect(job.state).toBe('FAILED');
    expect(job.error.code).toBe('WRONG_PASSWORD');
    expect(job.error.message).toMatch(/1 of 2 repositories failed \(foreign: /);
    expect(job.steps.map((s: any) => [s.repository, s.state])).toEqual([
      ['good', 'SUCCEEDED'],
      ['foreign', 'FAILED'],
    ]);
    expect(job.snapshotIds).toHaveLength(1);
    expect(JSON.stringify(job)).not.toContain(PASSWORD);
  });

  it('forgets what the retention policy does not keep, for that backup only, and prunes', async () => {
    for (let i = 0; i < 3; i++) {
      const { runBackup } = await client.data(`mutation { runBackup(name: "kept") { id } }`);
      expect((await ended(runBackup.id)).state).toBe('SUCCEEDED');
    }
    const before = await snapshotsOf(client, 'good');
    expect(before.filter((s) => s.backup === 'kept')).toHaveLength(3);
    const newest = before.find((s) => s.backup === 'kept')!.id;

    const { pruneBackup } = await client.data(
      `mutation { pruneBackup(name: "kept") { id operation trigger } }`,
    );
    expect(pruneBackup).toMatchObject({ operation: 'PRUNE', trigger: 'API' });
    const job = await ended(pruneBackup.id);
    expect(job.state).toBe('SUCCEEDED');
    expect(job.steps[0].summary).toEqual({ kept: 1, removed: 2 });

    const after = await snapshotsOf(client, 'good');
    expect(after.filter((s) => s.backup === 'kept').map((s) => s.id)).toEqual([newest]);
    // the other backup's snapshot in the same repository is untouched
    expect(after.filter((s) => s.backup === 'both')).toHaveLength(1);
    const { job: logged } = await client.data(
      `query($id: ID!) { job(id: $id) { logs { edges { node { message } } } } }`,
      { id: pruneBackup.id },
    );
    const messages = logged.logs.edges.map((e: any) => e.node.message).join('\n');
    expect(messages).toContain(`kept 1 snapshots: ${newest}`);
    expect(messages).toMatch(/removed 2 snapshots: [0-9a-f]{64}, [0-9a-f]{64}/);
  });

  it('checks a repository, and fails the check of a damaged one with restic findings in the log', async () => {
    const { checkRepository } = await client.data(
      `mutation { checkRepository(name: "good", priority: "next") { id operation priority } }`,
    );
    expect(checkRepository).toMatchObject({ operation: 'CHECK', priority: 'next' });
    expect((await ended(checkRepository.id)).state).toBe('SUCCEEDED');

    const { runBackup } = await client.data(`mutation { runBackup(name: "fragile") { id } }`);
    expect((await ended(runBackup.id)).state).toBe('SUCCEEDED');
    // Overwrite every pack with noise of the same size: restic sees the corruption at once
    // (deleted packs would make it retry its reads for minutes).
    const packs = join(damaged, 'data');
    for (const sub of readdirSync(packs)) {
      for (const pack of readdirSync(join(packs, sub))) {
        const path = join(packs, sub, pack);
        writeFileSync(path, randomBytes(statSync(path).size));
      }
    }

    const { checkRepository: bad } = await client.data(
      `mutation { checkRepository(name: "damaged") { id } }`,
    );
    const job = await ended(bad.id);
    expect(job.state).toBe('FAILED');
    const { job: logged } = await client.data(
      `query($id: ID!) { job(id: $id) { logs { edges { node { message path } } } } }`,
      { id: bad.id },
    );
    const resticLines = logged.logs.edges
      .map((e: any) => e.node)
      .filter((l: any) => l.path.endsWith('> restic'));
    expect(resticLines.map((l: any) => l.message).join('\n')).toMatch(/Pack ID does not match/);
    expect(job.error.message).toMatch(/repository contains errors/);
  });

  it('unlocks a repository on request, ahead of waiting work', async () => {
    const { unlockRepository } = await client.data(
      `mutation { unlockRepository(name: "good") { id operation priority trigger } }`,
    );
    expect(unlockRepository).toMatchObject({
      operation: 'UNLOCK',
      priority: 'next',
      trigger: 'API',
    });
    expect((await ended(unlockRepository.id)).state).toBe('SUCCEEDED');
    const unknown = await client.request(`mutation { checkRepository(name: "nope") { id } }`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('never writes the repository password to its stdout log', () => {
    expect(started.daemon.stdout.length).toBeGreaterThan(20);
    expect(started.daemon.stdout.join('\n')).not.toContain(PASSWORD);
  });
});

async function snapshotsOf(
  client: GraphQLTestClient,
  repository: string,
): Promise<{ id: string; backup: string }[]> {
  const { snapshots } = await client.data(
    `query($r: String!) { snapshots(repository: $r, first: 100) { edges { node { id: snapshotId backup: backupName } } } }`,
    { r: repository },
  );
  return snapshots.edges.map((e: any) => e.node);
}
