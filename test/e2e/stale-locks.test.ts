import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { getJob, resticPidsOn, waitForEnd, waitForJobs, waitForProgress } from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'stale-locks-password-5521';
const WAITED = /locked by another process; trying again in/;

/**
 * Locks left by restic processes that died, and locks of live ones: with one job slot, a dead
 * process's lock never holds work up, and a live one is waited for, visibly.
 */
describe('stale and live repository locks', () => {
  const dir = tempDir('e2e-stale-locks');
  const repository = join(dir.path, 'repository');
  let started: StartedDaemon;
  const foreign: ChildProcess[] = [];

  const mutation = async (field: string, name: string): Promise<string> => {
    const data = await started.client.data(`mutation($n: String!) { ${field}(name: $n) { id } }`, {
      n: name,
    });
    return data[field].id;
  };
  const logText = async (id: string): Promise<string> => {
    const { job } = await started.client.data(
      `query($id: ID!) { job(id: $id) { logs(first: 500) { edges { node { message } } } } }`,
      { id },
    );
    return job.logs.edges.map((e: any) => e.node.message).join('\n');
  };
  const locks = () => resticDirect(repository, PASSWORD, ['list', 'locks', '--no-lock']).trim();

  /** A restic of "another machine" backing up stdin: it holds its lock until stdin ends. */
  const foreignBackup = async (): Promise<ChildProcess> => {
    const child = spawn(
      process.env.RESTIC_BIN ?? 'restic',
      ['-r', repository, 'backup', '--stdin', '--host', 'other-machine'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          RESTIC_PASSWORD: PASSWORD,
          RESTIC_CACHE_DIR: join(dir.path, 'foreign-cache'),
        },
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    foreign.push(child);
    child.stdin.write('data from another machine\n');
    await waitFor(() => locks() !== '', 'the foreign lock', 30_000);
    return child;
  };

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'slow'), 8, 512 * 1024);
    writeRandomFiles(join(dir.path, 'small'), 2, 1024);
    started = await startDaemon(dir.path, {
      jobs: { concurrency: 1, maxDuration: '5m' },
      repositories: { local: { location: repository, password: PASSWORD } },
      backups: {
        slow: {
          paths: [join(dir.path, 'slow')],
          repositories: ['local'],
          limits: { upload: '64K' },
        },
        small: { paths: [join(dir.path, 'small')], repositories: ['local'] },
      },
    });
    const inits = await waitForJobs(started.client, 'INIT', 1);
    expect(inits[0].state).toBe('SUCCEEDED');
  }, 60_000);

  afterAll(async () => {
    for (const child of foreign) child.kill('SIGKILL');
    await started?.stop();
    dir.cleanup();
  });

  it('removes the lock of a restic SIGKILLed mid-backup; a check and a backup then run at once', async () => {
    const slowId = await mutation('runBackup', 'slow');
    await waitForProgress(started.client, slowId);
    const pids = resticPidsOn(repository);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');

    const slow = await waitForEnd(started.client, slowId);
    expect(slow.state).toBe('FAILED');
    expect(await logText(slowId)).toContain('its stale lock was removed');
    expect(locks()).toBe('');

    const checkId = await mutation('checkRepository', 'local');
    const smallId = await mutation('runBackup', 'small');
    expect((await waitForEnd(started.client, checkId)).state).toBe('SUCCEEDED');
    expect((await waitForEnd(started.client, smallId)).state).toBe('SUCCEEDED');
    expect(await logText(checkId)).not.toMatch(WAITED);
    expect(await logText(smallId)).not.toMatch(WAITED);
  }, 120_000);

  it('a job that meets the lock of a dead restic on this host removes it and goes on', async () => {
    const child = await foreignBackup();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(locks()).not.toBe('');

    const checkId = await mutation('checkRepository', 'local');
    expect((await waitForEnd(started.client, checkId)).state).toBe('SUCCEEDED');
    const log = await logText(checkId);
    expect(log).toMatch(/removed a stale lock of restic PID \d+ on this host/);
    expect(log).not.toMatch(WAITED);
    expect(locks()).toBe('');
  }, 120_000);

  it('waits for a live lock, saying so, while an unlock runs beside it; then goes on', async () => {
    const child = await foreignBackup();
    const checkId = await mutation('checkRepository', 'local');
    await waitFor(async () => WAITED.test(await logText(checkId)), 'the check waiting', 30_000);
    expect((await getJob(started.client, checkId)).state).toBe('RUNNING');

    // unlock is never queued behind the job that waits; the live lock stays
    const unlockId = await mutation('unlockRepository', 'local');
    expect((await waitForEnd(started.client, unlockId)).state).toBe('SUCCEEDED');
    expect((await getJob(started.client, checkId)).state).toBe('RUNNING');
    expect(locks()).not.toBe('');

    child.stdin!.end();
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await waitForEnd(started.client, checkId, 120_000)).state).toBe('SUCCEEDED');
  }, 180_000);
});
