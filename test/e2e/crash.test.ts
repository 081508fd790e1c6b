import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, startDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import {
  getJob,
  listJobs,
  resticPidsOn,
  waitForEnd,
  waitForJobs,
  waitForProgress,
  jobNumber,
} from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'crash-password-3319';

/** SIGKILL at the worst moments: after each restart the history, locks and repository are sound. */
describe('the daemon killed with SIGKILL', () => {
  const dir = tempDir('e2e-crash');
  const repository = join(dir.path, 'repository');
  const tickRepository = join(dir.path, 'tick');
  let configPath: string;
  let port: number;
  let daemon: Daemon;
  let client: GraphQLTestClient;

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'kept'), 40, 256 * 1024);
    writeRandomFiles(join(dir.path, 'slow'), 8, 512 * 1024);
    writeRandomFiles(join(dir.path, 'tick'), 1, 1024);
    ({ daemon, client, port, configPath } = await startDaemon(dir.path, {
      hostname: 'crash-host',
      jobs: { concurrency: 2, maxDuration: '5m' },
      repositories: {
        local: { location: repository, password: PASSWORD },
        tick: { location: tickRepository, password: PASSWORD },
      },
      backups: {
        kept: {
          paths: [join(dir.path, 'kept')],
          repositories: ['local'],
          retention: { keepLast: 1 },
        },
        slow: {
          paths: [join(dir.path, 'slow')],
          repositories: ['local'],
          limits: { upload: '64K' },
        },
        ticker: { paths: [join(dir.path, 'tick')], repositories: ['tick'], schedules: ['3s'] },
      },
    }));
    await waitForJobs(client, 'INIT', 2);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    if (daemon) await daemon.stop();
    dir.cleanup();
  });

  async function run(mutation: 'runBackup' | 'pruneBackup', name: string): Promise<string> {
    const data = await client.data(`mutation($n: String!) { ${mutation}(name: $n) { id } }`, {
      n: name,
    });
    return data[mutation].id;
  }

  async function logCount(id: string): Promise<number> {
    const { job } = await client.data(
      `query($id: ID!) { job(id: $id) { logs(first: 500) { edges { node { seq } } } } }`,
      { id },
    );
    return job.logs.edges.length;
  }

  /** Every job the API knows, with its state and how many log lines it has. */
  async function snapshotOfJobs(): Promise<Map<string, number>> {
    const jobs = await listJobs(client, ['BACKUP', 'PRUNE', 'CHECK', 'INIT', 'UNLOCK']);
    const result = new Map<string, number>();
    for (const job of jobs) result.set(job.id, await logCount(job.id));
    return result;
  }

  async function killAndRestart(): Promise<number> {
    const pids = resticPidsOn(repository);
    await client.close();
    daemon.kill('SIGKILL');
    await daemon.exited;
    // restic follows the daemon (it gets SIGINT when its parent dies) and must be gone
    await waitFor(() => pids.every((pid) => !existsSync(`/proc/${pid}`)), 'restic gone', 15_000);
    const restartedAt = Date.now();
    daemon = await Daemon.start(configPath);
    client = new GraphQLTestClient(port);
    return restartedAt;
  }

  /** What must hold after every restart. */
  async function expectSoundAfterRestart(
    before: Map<string, number>,
    interruptedId: string,
    unlocksBefore: number,
  ): Promise<void> {
    for (const [id, lines] of before) {
      const job = await getJob(client, id);
      expect(job).not.toBeNull();
      expect(await logCount(id)).toBeGreaterThanOrEqual(Math.max(lines, 1));
    }
    const interrupted = await getJob(client, interruptedId);
    expect(interrupted.state).toBe('INTERRUPTED');
    expect(interrupted.error.code).toBe('INTERRUPTED');

    const unlocks = await waitForJobs(client, 'UNLOCK', unlocksBefore + 1);
    expect(unlocks.slice(0, unlocks.length - unlocksBefore)).toContainEqual(
      expect.objectContaining({ repository: 'local', trigger: 'STARTUP', state: 'SUCCEEDED' }),
    );

    // the next scheduled backup runs as usual
    const maxIdBefore = Math.max(...[...before.keys()].map(jobNumber));
    await waitFor(
      async () => {
        const jobs = await listJobs(client, ['BACKUP']);
        return jobs.some(
          (j) =>
            j.number > maxIdBefore &&
            j.backup === 'ticker' &&
            j.trigger === 'SCHEDULE' &&
            j.state === 'SUCCEEDED',
        );
      },
      'a scheduled ticker backup after the restart',
      30_000,
    );
  }

  async function expectRepositoryClean(): Promise<void> {
    // nothing of the daemon's may be running on the repository while restic checks it
    await waitFor(async () => {
      const jobs = await listJobs(client, ['BACKUP', 'PRUNE', 'CHECK', 'INIT', 'UNLOCK']);
      return jobs
        .filter((j) => j.backup !== 'ticker' && j.repository !== 'tick')
        .every((j) => !['QUEUED', 'RUNNING'].includes(j.state));
    }, 'daemon idle on the repository');
    expect(resticDirect(repository, PASSWORD, ['list', 'locks', '--no-lock']).trim()).toBe('');
    expect(resticDirect(repository, PASSWORD, ['check'])).toContain('no errors were found');
  }

  it('(a) during a prune', async () => {
    // two snapshots of different data, so that keepLast 1 leaves data to prune
    expect((await waitForEnd(client, await run('runBackup', 'kept'))).state).toBe('SUCCEEDED');
    writeRandomFiles(join(dir.path, 'kept'), 40, 256 * 1024);
    expect((await waitForEnd(client, await run('runBackup', 'kept'))).state).toBe('SUCCEEDED');
    const unlocksBefore = (await listJobs(client, ['UNLOCK'])).length;
    const pruneId = await run('pruneBackup', 'kept');
    await waitFor(
      async () => {
        const job = await getJob(client, pruneId);
        if (!['QUEUED', 'RUNNING'].includes(job.state)) throw new Error(`prune ${job.state}`);
        return job.state === 'RUNNING';
      },
      'prune running',
      30_000,
    );
    const before = await snapshotOfJobs();
    await killAndRestart();
    await expectSoundAfterRestart(before, pruneId, unlocksBefore);
    await expectRepositoryClean();
  }, 90_000);

  it('(b) between queueing and starting: the queued job survives and runs', async () => {
    const unlocksBefore = (await listJobs(client, ['UNLOCK'])).length;
    const slowId = await run('runBackup', 'slow');
    await waitForProgress(client, slowId);
    // a prune needs the repository alone, so it waits behind the running backup
    const pruneId = await run('pruneBackup', 'kept');
    expect((await getJob(client, pruneId)).state).toBe('QUEUED');
    const before = await snapshotOfJobs();
    await killAndRestart();
    await expectSoundAfterRestart(before, slowId, unlocksBefore);
    const prune = await waitForEnd(client, pruneId);
    expect(prune.state).toBe('SUCCEEDED');
    await expectRepositoryClean();
  }, 90_000);

  it('(c) during a backup', async () => {
    const unlocksBefore = (await listJobs(client, ['UNLOCK'])).length;
    const slowId = await run('runBackup', 'slow');
    await waitForProgress(client, slowId);
    expect(resticPidsOn(repository).length).toBeGreaterThan(0);
    const before = await snapshotOfJobs();
    await killAndRestart();
    await expectSoundAfterRestart(before, slowId, unlocksBefore);
    await expectRepositoryClean();
  }, 90_000);
});
