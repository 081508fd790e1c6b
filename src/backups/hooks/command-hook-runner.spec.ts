import { FakeClock } from '../../../test/support/fake-clock';
import type { CommandHook } from '../../config/config.types';
import {
  ProcessSpawnError,
  type ProcessResult,
  type ProcessSpec,
} from '../../process/process-runner';
import { CommandHookRunner, HOOK_KILL_GRACE_MS, hookEnvironment } from './command-hook-runner';
import type { HookInvocation } from './hook.types';

/** Plays a process: prints lines, then exits, or waits for the abort signal ('hang'). */
class FakeProcesses {
  readonly specs: ProcessSpec[] = [];
  constructor(
    private readonly behaviour: {
      stdout?: string[];
      stderr?: string[];
      exit?: number | 'hang' | Error;
    } = {},
  ) {}

  run(spec: ProcessSpec): Promise<ProcessResult> {
    this.specs.push(spec);
    for (const line of this.behaviour.stdout ?? []) spec.onStdoutLine?.(line);
    for (const line of this.behaviour.stderr ?? []) spec.onStderrLine?.(line);
    const exit = this.behaviour.exit ?? 0;
    if (exit instanceof Error) return Promise.reject(exit);
    if (exit === 'hang') {
      return new Promise((resolve) =>
        spec.signal!.addEventListener('abort', () =>
          resolve({ exitCode: null, signal: 'SIGINT', aborted: true }),
        ),
      );
    }
    return Promise.resolve({ exitCode: exit, signal: null, aborted: false });
  }
}

const hook = (overrides: Partial<CommandHook> = {}): CommandHook => ({
  type: 'command',
  command: ['pg_dump', '-f', '/tmp/db.sql'],
  env: { PGPASSWORD: 'pw' },
  timeoutMs: 2000,
  onFailure: 'break',
  when: 'always',
  ...overrides,
});

function setup(behaviour?: ConstructorParameters<typeof FakeProcesses>[0]) {
  const clock = new FakeClock();
  const processes = new FakeProcesses(behaviour);
  const runner = new CommandHookRunner(processes, clock);
  const controller = new AbortController();
  const logs: { message: string; source?: string }[] = [];
  const run: HookInvocation = {
    stage: 'after',
    backup: 'pics',
    jobId: 42,
    status: 'failure',
    signal: controller.signal,
    log: (_level, message, source) => logs.push({ message, source }),
  };
  return { clock, processes, runner, controller, logs, run };
}

describe('hookEnvironment', () => {
  it('starts minimal, adds the hook env, then the job facts', () => {
    const daemon = { PATH: '/bin', HOME: '/root', LANG: 'C.UTF-8', RESTIC_PASSWORD: 'no' };
    const { run } = setup();
    expect(
      hookEnvironment(hook({ env: { A: '1', HEN_BACKUP_NAME: 'fake' } }), run, daemon),
    ).toEqual({
      PATH: '/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      A: '1',
      HEN_BACKUP_NAME: 'pics',
      HEN_BACKUP_JOB_ID: '42',
      HEN_BACKUP_STAGE: 'after',
      HEN_BACKUP_STATUS: 'failure',
    });
  });

  it('gives before hooks no status, and a PATH even when the daemon has none', () => {
    const { run } = setup();
    const env = hookEnvironment(
      hook({ env: { HEN_BACKUP_STATUS: 'x' } }),
      {
        ...run,
        stage: 'before',
        status: undefined,
      },
      {},
    );
    expect(env.HEN_BACKUP_STATUS).toBeUndefined();
    expect(env.PATH).toMatch(/\/usr\/bin/);
  });
});

describe('CommandHookRunner', () => {
  it('runs the argument vector without a shell and logs every output line', async () => {
    const { processes, runner, logs, run } = setup({
      stdout: ['dumping', 'done'],
      stderr: ['note'],
    });
    await expect(runner.run(hook({ cwd: '/' }), run)).resolves.toEqual({ ok: true });
    expect(processes.specs[0]).toMatchObject({
      command: 'pg_dump',
      args: ['-f', '/tmp/db.sql'],
      cwd: '/',
      killGraceMs: HOOK_KILL_GRACE_MS,
    });
    expect(processes.specs[0].env.PGPASSWORD).toBe('pw');
    expect(logs).toEqual(
      expect.arrayContaining([
        { message: 'dumping', source: 'stdout' },
        { message: 'done', source: 'stdout' },
        { message: 'note', source: 'stderr' },
      ]),
    );
  });

  it('fails on a non-zero exit', async () => {
    const { runner, run } = setup({ exit: 3 });
    await expect(runner.run(hook(), run)).resolves.toEqual({
      ok: false,
      reason: 'exited with code 3',
    });
  });

  it('aborts the process at the timeout (SIGINT, then SIGKILL after the grace)', async () => {
    const { clock, processes, runner, run } = setup({ exit: 'hang' });
    const result = runner.run(hook(), run);
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(2000);
    await expect(result).resolves.toEqual({ ok: false, reason: 'timed out after 2 s' });
    expect(processes.specs[0].signal?.aborted).toBe(true);
  });

  it('stops with the job', async () => {
    const { controller, runner, run } = setup({ exit: 'hang' });
    const result = runner.run(hook(), run);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(result).resolves.toEqual({ ok: false, reason: 'stopped with the job' });
  });

  it('explains a program that cannot start and a cwd that does not exist', async () => {
    const missing = new ProcessSpawnError('pg_dump', 'ENOENT', new Error('spawn ENOENT'));
    let { runner, run } = setup({ exit: missing });
    await expect(runner.run(hook(), run)).resolves.toEqual({
      ok: false,
      reason: 'cannot start "pg_dump": not found',
    });
    ({ runner, run } = setup());
    await expect(runner.run(hook({ cwd: '/no/such/folder' }), run)).resolves.toEqual({
      ok: false,
      reason: 'cwd /no/such/folder is not a folder',
    });
  });
});
