import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { parseExposition, valueOf } from '../support/exposition';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { waitForEnd, waitForJobs } from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'disk-full-password-7304';

/**
 * Full disks for real: the data directory is a small tmpfs and its temp folder another one inside
 * it, so that each can be filled on its own (mounting needs root, as the CI runs). The repository
 * stays on the ordinary disk. A full temp folder fails restic's run (it writes its pack files
 * there first) while the state database still records the failure; a full data directory stops
 * the state database itself. Filling leaves exactly 0 bytes: `dd` writes until ENOSPC.
 */
describe('a full disk under the data directory', () => {
  const dir = tempDir('e2e-disk-full');
  const dataDir = join(dir.path, 'state');
  const tmpFolder = join(dataDir, 'tmp');
  const mounted: string[] = [];
  let started: StartedDaemon;

  const mountTmpfs = (path: string, size: string) => {
    mkdirSync(path, { recursive: true });
    // no fallback: this test is about a real full disk, so it fails when it cannot make one
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', path]);
    mounted.unshift(path);
  };
  const fill = (folder: string) => {
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(folder, 'fill')}`, 'bs=64k'], {
        stdio: 'ignore',
      });
    } catch {
      // dd stops with "No space left on device": that is the point
    }
    const stats = statfsSync(folder);
    const free = stats.bavail * stats.bsize;
    expect(free).toBe(0);
  };
  const free = (folder: string) => rmSync(join(folder, 'fill'), { force: true });

  const http = (path: string) => fetch(`http://127.0.0.1:${started.port}${path}`);
  const readiness = async () => {
    const response = await http('/health/ready');
    return { status: response.status, body: (await response.json()) as any };
  };
  const runBackup = () => started.client.request(`mutation { runBackup(name: "docs") { id } }`);

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'docs'), 4, 1024 * 1024);
    mountTmpfs(dataDir, '64m');
    mountTmpfs(tmpFolder, '32m');
    started = await startDaemon(dir.path, {
      dataDir,
      repositories: { local: { location: join(dir.path, 'repo'), password: PASSWORD } },
      backups: { docs: { paths: [join(dir.path, 'docs')], repositories: ['local'] } },
    });
    await waitForJobs(started.client, 'INIT', 1);
    expect((await readiness()).status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    if (started) await started.stop();
    for (const path of mounted) execFileSync('umount', [path]);
    dir.cleanup();
  });

  // Writes of the state database need space: its WAL file only grows, except that the first
  // write after a checkpoint caught up starts it over in the space it had and then cuts the file
  // back to itself (wal-checkpointer.ts), so the second write needs space at the latest; queuing
  // a job takes several. Failed writes ask for no checkpoint, so the disk stays full for it.
  it('refuses new jobs with DISK_FULL while the state database cannot be written, and recovers', async () => {
    fill(dataDir);

    const refused = await runBackup();
    expect(Object.values(refused.data ?? {})).toEqual([null]);
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /^the state database cannot be written: no space left on the disk of the data directory .*; free space there/,
        ),
        extensions: { code: 'DISK_FULL' },
      }),
    ]);

    const full = await readiness();
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({
      status: 'not ready',
      checks: {
        database: {
          ok: false,
          detail: expect.stringMatching(/^the state database cannot be written: no space left/),
        },
        disk: {
          ok: false,
          detail: '0 B free in the data directory, less than the 16.0 MiB needed',
          freeBytes: 0,
        },
      },
    });
    // one clear line in the daemon's JSON log, however many writes failed
    await runBackup();
    const lines = started.daemon.stdout.filter((l) =>
      l.includes('state database: no space left on'),
    );
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'error',
      msg: `state database: no space left on ${dataDir}; job states and logs cannot be recorded until space is freed`,
    });
    expect((await http('/health/live')).status).toBe(200);

    free(dataDir);
    // the readiness check's own probe write notices that space is back
    await waitFor(async () => (await readiness()).status === 200, 'readiness', 10_000);
    await started.daemon.waitForLog(/state database: writes work again/);
    const { data } = await runBackup();
    expect(await waitForEnd(started.client, data.runBackup.id)).toMatchObject({
      state: 'SUCCEEDED',
      error: null,
    });
  }, 90_000);

  it('fails a backup as DISK_FULL, naming the temp folder, when restic has no room for its files', async () => {
    // new data: what is in the repository already needs no pack file
    writeRandomFiles(join(dir.path, 'docs', 'new'), 2, 1024 * 1024);
    fill(tmpFolder);
    const full = await readiness();
    expect(full.status).toBe(503);
    expect(full.body.checks).toMatchObject({
      database: { ok: true },
      disk: {
        ok: false,
        detail: "0 B free in the data directory's temp folder, less than the 16.0 MiB needed",
        freeBytes: 0,
      },
    });

    const failed = await runBackup();
    const job = await waitForEnd(started.client, failed.data.runBackup.id);
    expect(job.state).toBe('FAILED');
    expect(job.error.code).toBe('DISK_FULL');
    expect(job.error.message).toContain(
      `the disk is full (no space left on device): restic cannot write its temporary files to ${tmpFolder}, the data directory's temp folder; free space there`,
    );
    expect(job.error.message).not.toContain(PASSWORD);

    free(tmpFolder);
    expect((await readiness()).status).toBe(200);
    const { data } = await runBackup();
    expect(await waitForEnd(started.client, data.runBackup.id)).toMatchObject({
      state: 'SUCCEEDED',
      error: null,
    });
  }, 90_000);

  it('shows the free space as a Prometheus gauge', async () => {
    const metrics = parseExposition(await (await http('/metrics')).text());
    const free = (folder: string) =>
      valueOf(metrics, 'hen_backup_data_dir_free_bytes', { folder })!;
    const size = (folder: string) =>
      valueOf(metrics, 'hen_backup_data_dir_size_bytes', { folder })!;
    expect(free('tmp')).toBeGreaterThan(16 * 1024 * 1024);
    expect(free('tmp')).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(free('data')).toBeGreaterThan(16 * 1024 * 1024);
    expect(free('data')).toBeLessThanOrEqual(64 * 1024 * 1024);
    // the size of each folder's file system, for the "nearly full" alert's percentage
    expect(size('tmp')).toBeGreaterThanOrEqual(free('tmp'));
    expect(size('tmp')).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(size('data')).toBeGreaterThanOrEqual(free('data'));
    expect(size('data')).toBeLessThanOrEqual(64 * 1024 * 1024);
  });
});
