import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TempDirs } from '../../test/support/temp-dir';
import { makeTestConfig } from '../../test/support/test-config';
import {
  ProcessRunner,
  ProcessSpawnError,
  type ProcessResult,
  type ProcessSpec,
} from '../process/process-runner';
import { ResticError } from '../restic/restic-error';
import { ResticService } from './restic.service';
import type { ResticLogLine, ResticTarget } from '../restic/restic.types';
import { LiveConfig } from '../config/live-config';

interface Script {
  stdout?: string[];
  stderr?: string[];
  exitCode?: number | null;
  aborted?: boolean;
  spawnError?: string;
}

/** Plays scripted output for each call, in order, and records what it was asked to run. */
class FakeProcessRunner extends ProcessRunner {
  readonly calls: ProcessSpec[] = [];
  private readonly scripts: Script[] = [];

  script(...scripts: Script[]): this {
    this.scripts.push(...scripts);
    return this;
  }

  override run(spec: ProcessSpec): Promise<ProcessResult> {
    this.calls.push(spec);
    const script = this.scripts.shift() ?? {};
    if (script.spawnError) {
      const error = Object.assign(new Error('spawn failed'), { code: script.spawnError });
      return Promise.reject(new ProcessSpawnError(spec.command, script.spawnError, error));
    }
    script.stdout?.forEach((l) => spec.onStdoutLine?.(l));
    script.stderr?.forEach((l) => spec.onStderrLine?.(l));
    return Promise.resolve({
      exitCode: script.exitCode === undefined ? 0 : script.exitCode,
      signal: null,
      aborted: script.aborted ?? false,
    });
  }
}

/** The command line without the setpriv parent-death wrapper, which depends on the machine. */
function line(call: ProcessSpec): string[] {
  const all = [call.command, ...call.args];
  return all[0].endsWith('/setpriv') ? all.slice(all.indexOf('--') + 1) : all;
}

const FULL = 'c0ff68ed482d29e16dace17ca766dd1548a95e69e24a9a9277bc752bd583ef49';
const target: ResticTarget = {
  name: 'nas',
  location: '/srv/repo',
  env: { RESTIC_PASSWORD: 'hunter2-password', AWS_SECRET_ACCESS_KEY: 'aws-secret-value' },
};

describe('ResticService', () => {
  const temp = new TempDirs();
  let runner: FakeProcessRunner;
  let service: ResticService;
  let dataDir: string;
  const savedEnv = { ...process.env };

  beforeEach(async () => {
    dataDir = await temp.make('restic-service-');
    runner = new FakeProcessRunner();
    service = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir, secrets: ['config-secret'], limits: {} })),
      runner,
    );
    delete process.env.RESTIC_BIN;
  });
  afterEach(() => {
    process.env = { ...savedEnv };
  });
  afterAll(() => temp.cleanup());

  it('runs RESTIC_BIN with the repository, and only a safe environment', async () => {
    process.env = {
      PATH: '/usr/bin:/bin',
      HOME: '/home/hen',
      RESTIC_BIN: '/opt/restic',
      HEN_API_TOKEN: 'daemon-secret',
      RESTIC_PASSWORD: 'daemon-env-password',
      HTTPS_PROXY: 'http://proxy:3128',
    };
    await service.run(target, ['cat', 'config']);
    const [call] = runner.calls;
    expect(line(call)).toEqual(['/opt/restic', 'cat', 'config']);
    expect(call.env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/hen',
      HTTPS_PROXY: 'http://proxy:3128',
      RESTIC_CACHE_DIR: join(dataDir, 'cache'),
      TMPDIR: join(dataDir, 'tmp'),
      RESTIC_PASSWORD: 'hunter2-password',
      AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
      RESTIC_REPOSITORY: '/srv/repo',
      RESTIC_PROGRESS_FPS: '4',
    });
    expect(call.args.join(' ')).not.toContain('hunter2');
    expect(existsSync(join(dataDir, 'cache'))).toBe(true);
    expect(existsSync(join(dataDir, 'tmp'))).toBe(true);
  });

  it('applies limits as flags and nice/ionice wrappers', async () => {
    await service.run(target, ['check'], {
      limits: {
        upload: 1536 * 1024 + 500,
        download: 100,
        nice: 10,
        ionice: { class: 'idle' },
      },
    });
    const [call] = runner.calls;
    expect(line(call)).toEqual([
      'nice',
      '-n',
      '10',
      'ionice',
      '-t',
      '-c',
      '3',
      'restic',
      '--limit-upload',
      '1536',
      '--limit-download',
      '1',
      'check',
    ]);
  });

  it('passes the backend arguments of the target before the command', async () => {
    await service.run({ ...target, args: ['--cacert', '/etc/ca.pem'] }, ['snapshots']);
    expect(line(runner.calls[0])).toEqual(['restic', '--cacert', '/etc/ca.pem', 'snapshots']);
  });

  it("falls back to the configuration's global limits", async () => {
    service = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir, limits: { upload: 4096 } })),
      runner,
    );
    await service.run(target, ['check']);
    expect(line(runner.calls[0])).toEqual(['restic', '--limit-upload', '4', 'check']);
  });

  it('parses JSON lines, logs the rest, and masks secrets in logs', async () => {
    runner.script({
      stdout: ['{"message_type":"status","percent_done":0.5}', 'not json'],
      stderr: [
        'Fatal: leaked hunter2-password and config-secret at rest:http://u:pw1234@h/',
        'using temporary cache in /tmp/x',
      ],
      exitCode: 0,
    });
    const json: unknown[] = [];
    const logs: ResticLogLine[] = [];
    await service.run(target, ['backup'], {
      json: true,
      onJson: (m) => json.push(m),
      onLog: (l) => logs.push(l),
    });
    expect(runner.calls[0].args).toContain('--json');
    expect(json).toEqual([{ message_type: 'status', percent_done: 0.5 }]);
    expect(logs).toEqual([
      { stream: 'stdout', level: 'info', text: 'not json' },
      {
        stream: 'stderr',
        level: 'error',
        text: 'Fatal: leaked *** and *** at rest:http://u:***@h/',
      },
      { stream: 'stderr', level: 'info', text: 'using temporary cache in /tmp/x' },
    ]);
  });

  it('accepts exit code 3 only when allowed', async () => {
    runner.script({ exitCode: 3 }, { exitCode: 3 });
    await expect(service.run(target, ['backup'], { allowPartial: true })).resolves.toEqual({
      exitCode: 3,
    });
    await expect(service.run(target, ['backup'])).rejects.toMatchObject({
      code: 'RESTIC_FAILED',
      exitCode: 3,
    });
  });

  it('classifies failures with masked messages', async () => {
    runner.script({ stderr: ['Fatal: wrong password or no key found'], exitCode: 1 });
    const error = await service.run(target, ['snapshots']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResticError);
    expect(error).toMatchObject({
      code: 'WRONG_PASSWORD',
      message: 'wrong password for repository "nas"',
    });
  });

  it('reports an aborted run as canceled, clears the lock it may have left, and does not start one already aborted', async () => {
    runner.script({ exitCode: 130, aborted: true, stderr: ['signal interrupt received'] });
    await expect(
      service.run(target, ['backup'], { signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'CANCELED' });
    await expect(
      service.run(target, ['backup'], { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'CANCELED' });
    // the aborted backup, then `unlock` for a lock restic may have left; nothing for the second
    expect(runner.calls.map((c) => line(c).slice(1))).toEqual([['backup'], ['unlock']]);
  });

  it.each([
    ['ls, which never locks', false, ['ls', FULL]],
    ['a run with --no-lock', false, ['stats', '--no-lock', FULL]],
    ['any run of a read-only daemon', true, ['stats', FULL]],
  ])('cleans up no lock after a canceled %s', async (_case, readOnly, args) => {
    service = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir, limits: {}, readOnly })),
      runner,
    );
    runner.script({ exitCode: 130, aborted: true });
    await expect(
      service.run(target, args, { signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'CANCELED' });
    expect(runner.calls).toHaveLength(1);
    expect(line(runner.calls[0])).not.toContain('unlock');
  });

  it('tells how to install restic when it is missing', async () => {
    runner.script({ spawnError: 'ENOENT' });
    const error = await service.version().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RESTIC_NOT_INSTALLED' });
    expect((error as Error).message).toContain('apt-get install restic');
    expect((error as Error).message).toContain('RESTIC_BIN');
  });

  it('rejects restic older than 0.14', async () => {
    runner.script(
      { stdout: ['restic 0.12.1 compiled with go1.18.1 on linux/amd64'] },
      { stdout: ['restic 0.14.0 compiled with go1.19.8 on linux/amd64'] },
    );
    await expect(service.assertSupportedVersion()).rejects.toMatchObject({
      code: 'RESTIC_TOO_OLD',
    });
    await expect(service.assertSupportedVersion()).resolves.toBe('0.14.0');
    expect(runner.calls[0].args).toEqual(['version']);
  });

  it('says a repository is missing only when restic says so', async () => {
    runner.script(
      { exitCode: 0, stdout: ['{"version":2,"id":"5e2a"}'] },
      {
        exitCode: 1,
        stderr: [
          'Fatal: unable to open config file: stat /srv/repo/config: no such file or directory',
          'Is there a repository at the following location?',
        ],
      },
      { exitCode: 1, stderr: ['Fatal: wrong password or no key found'] },
    );
    const logged: string[] = [];
    const onLog = (line: { text: string }) => logged.push(line.text);
    await expect(service.repositoryExists(target, { onLog })).resolves.toBe(true);
    await expect(service.repositoryExists(target, { onLog })).resolves.toBe(false);
    // the expected answer for a new repository is not passed on as an error line
    expect(logged).toEqual([]);
    await expect(service.repositoryExists(target, { onLog })).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    expect(logged).toEqual(['Fatal: wrong password or no key found']);
  });

  it("takes the full snapshot id from restic's cache when it is there, without a second run", async () => {
    runner.script({
      stdout: [
        '{"message_type":"summary","files_new":1,"total_duration":0.1,"snapshot_id":"c0ff68ed"}',
      ],
    });
    // what restic 0.14 leaves in its cache when it saves the snapshot
    const folder = join(dataDir, 'cache', 'f00d', 'snapshots', 'c0');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, FULL), '');
    const result = await service.backup(target, {
      paths: ['/srv/data'],
      excludes: [],
      host: 'laptop',
      tags: [],
    });
    expect(result.snapshotId).toBe(FULL);
    expect(runner.calls).toHaveLength(1);
  });

  it('backs up: progress, warnings, summary and the full snapshot id', async () => {
    runner.script(
      {
        stdout: [
          '{"message_type":"status","percent_done":0,"total_files":1,"total_bytes":2}',
          '{"message_type":"status","percent_done":1,"files_done":1,"bytes_done":2}',
          '{"message_type":"summary","files_new":2,"data_added":2107,"total_files_processed":2,"total_bytes_processed":4,"total_duration":0.21,"snapshot_id":"c0ff68ed"}',
        ],
        stderr: [
          '/srv/gone does not exist, skipping',
          '{"message_type":"error","error":{"Op":"open","Path":"/srv/data/secret","Err":13},"during":"archival","item":"/srv/data/secret"}',
          'Warning: at least one source file could not be read',
        ],
        exitCode: 3,
      },
      { stdout: [`[{"id":"${FULL}","short_id":"c0ff68ed","paths":["/srv/data"]}]`] },
    );
    const progress: number[] = [];
    const result = await service.backup(
      target,
      { paths: ['/srv/data', '/srv/gone'], excludes: ['*.tmp'], host: 'laptop', tags: ['a', 'b'] },
      { onProgress: (p) => progress.push(p.percentDone) },
    );
    expect(line(runner.calls[0])).toEqual([
      'restic',
      '--json',
      'backup',
      '--host=laptop',
      '--exclude=*.tmp',
      '--tag=a',
      '--tag=b',
      '--',
      '/srv/data',
      '/srv/gone',
    ]);
    expect(line(runner.calls[1])).toEqual(['restic', 'snapshots', '--json', 'c0ff68ed']);
    expect(progress).toEqual([0, 1]);
    expect(result).toEqual({
      snapshotId: FULL,
      filesNew: 2,
      filesChanged: 0,
      filesUnmodified: 0,
      dataAdded: 2107,
      totalFilesProcessed: 2,
      totalBytesProcessed: 4,
      durationSeconds: 0.21,
      partial: true,
      warnings: ['/srv/gone does not exist, skipping', '/srv/data/secret: open: permission denied'],
    });
  });

  it('refuses relative backup paths', async () => {
    await expect(
      service.backup(target, { paths: ['data'], excludes: [], host: 'h', tags: [] }),
    ).rejects.toThrow('backup paths must be absolute: data');
    expect(runner.calls).toHaveLength(0);
  });

  it('filters snapshots: all tags, host and paths', async () => {
    runner.script({ stdout: ['[]'] });
    await expect(
      service.snapshots(target, { host: 'h', tags: ['x', 'y'], paths: ['/a'] }),
    ).resolves.toEqual([]);
    expect(line(runner.calls[0])).toEqual([
      'restic',
      'snapshots',
      '--json',
      '--host=h',
      '--tag=x,y',
      '--path=/a',
    ]);
  });

  it('lists and removes locks', async () => {
    runner.script({ stdout: [FULL, ''] }, {}, {});
    await expect(service.listLocks(target)).resolves.toEqual([FULL]);
    await service.unlock(target);
    await service.unlock(target, { removeAll: true });
    expect(runner.calls.map((c) => line(c).slice(1))).toEqual([
      ['list', 'locks', '--no-lock'],
      ['unlock'],
      ['unlock', '--remove-all'],
    ]);
  });
});
