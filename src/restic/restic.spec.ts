import fs from 'node:fs';
import { join } from 'node:path';
import { TempDirs } from '../../test/support/temp-dir';
import { ProcessRunner, type ProcessResult, type ProcessSpec } from '../process/process-runner';
import { Restic } from './restic';
import type { ResticSettings } from './restic-settings';
import type { ResticTarget } from './restic.types';

/** Records each spawn and answers with an empty snapshot list. */
class RecordingRunner extends ProcessRunner {
  readonly calls: ProcessSpec[] = [];

  override run(spec: ProcessSpec): Promise<ProcessResult> {
    this.calls.push(spec);
    spec.onStdoutLine?.('[]');
    return Promise.resolve({ exitCode: 0, signal: null, aborted: false });
  }
}

/** The restic part of a command line, without the machine-dependent setpriv wrapper. */
function resticLine(call: ProcessSpec): string[] {
  const all = [call.command, ...call.args];
  return all[0].endsWith('/setpriv') ? all.slice(all.indexOf('--') + 1) : all;
}

const target: ResticTarget = {
  name: 'nas',
  location: '/srv/repo',
  env: { RESTIC_PASSWORD: 'hunter2-password' },
};

describe('Restic, built from plain values', () => {
  const temp = new TempDirs();
  let settings: ResticSettings;
  let processes: RecordingRunner;

  beforeEach(async () => {
    settings = {
      binary: '/opt/restic/bin/restic',
      dataDir: await temp.make('restic-values-'),
      limits: { upload: 2 * 1024 * 1024 },
      readOnly: false,
      secrets: [],
    };
    processes = new RecordingRunner();
  });
  afterAll(() => temp.cleanup());

  it('runs the given binary on the given target, with the default limits and its own folders', async () => {
    await new Restic(settings, processes).snapshots(target);
    const [call] = processes.calls;
    expect(resticLine(call)).toEqual([
      '/opt/restic/bin/restic',
      '--limit-upload',
      '2048',
      'snapshots',
      '--json',
    ]);
    expect(call.env).toMatchObject({
      RESTIC_REPOSITORY: '/srv/repo',
      RESTIC_PASSWORD: 'hunter2-password',
      RESTIC_CACHE_DIR: join(settings.dataDir, 'cache'),
      TMPDIR: join(settings.dataDir, 'tmp'),
    });
  });

  it('reads settings given as a function at each call', async () => {
    const restic = new Restic(() => settings, processes);
    await restic.snapshots(target);
    settings = { ...settings, limits: {}, readOnly: true };
    await restic.snapshots(target);
    expect(resticLine(processes.calls[1]).slice(1)).toEqual(['--no-lock', 'snapshots', '--json']);
  });

  it("fails as DISK_FULL, naming the folder, when restic's folders cannot be made for want of space", async () => {
    const mkdir = jest.spyOn(fs, 'mkdirSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    try {
      await expect(new Restic(settings, processes).snapshots(target)).rejects.toMatchObject({
        code: 'DISK_FULL',
        message: expect.stringContaining(
          `restic cannot write its cache to ${join(settings.dataDir, 'cache')}`,
        ),
      });
    } finally {
      mkdir.mockRestore();
    }
    expect(processes.calls).toEqual([]);
  });

  it('passes any other failure to make them on as it is, and runs nothing', async () => {
    // the data folder is a file: its cache folder cannot be made
    const file = join(settings.dataDir, 'not-a-folder');
    fs.writeFileSync(file, '');
    settings = { ...settings, dataDir: file };
    await expect(new Restic(settings, processes).snapshots(target)).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
    expect(processes.calls).toEqual([]);
  });
});
