import { SecretScrubber } from '../common/secret-scrubber';
import type { BackupConfig, HenConfig, HookConfig } from '../config/config.types';
import { JobFailure } from '../jobs/job-failure';
import type { RepositoryOpener } from '../repositories/repository-opener';
import type { RepositoriesService } from '../repositories/repositories.service';
import type { ResticService } from '../repositories/restic.service';
import type { BackupResult, ResticTarget } from '../restic/restic.types';
import { BackupJobHandler } from './backup-job.handler';
import type { BackupsService } from './backups.service';
import { fakeJobContext } from '../../test/support/fake-job-context';
import { HookRunner } from './hooks/hook-runner.service';
import { ScriptedHooks, command, http } from '../../test/support/scripted-hooks';
import { LiveConfig } from '../config/live-config';

const result: BackupResult = {
  snapshotId: 'a'.repeat(64),
  filesNew: 1,
  filesChanged: 0,
  filesUnmodified: 0,
  dataAdded: 10,
  totalFilesProcessed: 1,
  totalBytesProcessed: 10,
  durationSeconds: 1,
  partial: false,
  warnings: [],
};

/** A handler over fake restic: repository "broken" fails, any other succeeds. */
function setup(
  hooks: { before?: HookConfig[]; after?: HookConfig[] },
  repositories = ['r1', 'r2'],
  controller = new AbortController(),
) {
  const backup = {
    name: 'pics',
    paths: ['/data'],
    excludes: [],
    tags: [],
    repositories,
    limits: {},
    hooks: { before: hooks.before ?? [], after: hooks.after ?? [] },
  } as unknown as BackupConfig;
  const backups = { get: () => backup, find: () => backup } as unknown as BackupsService;
  const repositoryService = {
    get: (name: string) => ({ name, limits: {} }),
    target: (name: string): ResticTarget => ({ name, location: `/repos/${name}`, env: {} }),
  } as unknown as RepositoriesService;
  const resticCalls: string[] = [];
  const restic = {
    backup: (target: ResticTarget) => {
      resticCalls.push(target.name);
      // "slow" runs until the job is stopped, as restic does until SIGINT
      if (target.name === 'slow') {
        return new Promise((_resolve, reject) =>
          controller.signal.addEventListener('abort', () => reject(new Error('interrupted'))),
        );
      }
      return target.name === 'broken'
        ? Promise.reject(Object.assign(new Error('repository does not exist'), { code: 'NO_REPO' }))
        : Promise.resolve(result);
    },
  } as unknown as ResticService;
  const scripted = new ScriptedHooks();
  const handler = new BackupJobHandler(
    new LiveConfig({ hostname: 'h', limits: {} } as unknown as HenConfig),
    backups,
    repositoryService,
    restic,
    new HookRunner(scripted.http, scripted.commands, new SecretScrubber([])),
    // every repository counts as open: these tests are about the backup steps and hooks
    {
      ensureReady: () => Promise.resolve(),
      noteFailure: () => undefined,
    } as unknown as RepositoryOpener,
  );
  const { context, job, logs } = fakeJobContext(undefined, controller.signal);
  const run = () =>
    handler.run(context).then(
      () => null,
      (error: unknown) => error as JobFailure,
    );
  return { run, job, logs, resticCalls, scripted };
}

const stepsOf = (job: { steps: { name: string; state: string }[] }) =>
  job.steps.map((s) => `${s.name}: ${s.state}`);

describe('BackupJobHandler with hooks', () => {
  it('runs before hooks, then every repository, then after hooks, once per job', async () => {
    const { run, job, resticCalls } = setup({
      before: [command('freeze')],
      after: [command('thaw')],
    });
    await expect(run()).resolves.toBeNull();
    expect(stepsOf(job)).toEqual([
      'before[0] command freeze: succeeded',
      'repository r1: succeeded',
      'repository r2: succeeded',
      'after[0] command thaw: succeeded',
    ]);
    expect(resticCalls).toEqual(['r1', 'r2']);
  });

  it('before break: no restic step, after hooks see a failure, the job fails naming the hook', async () => {
    const { run, job, logs, resticCalls, scripted } = setup({
      before: [http('http://host/dump/500', { onFailure: 'break' }), command('never')],
      after: [
        command('on-success', { when: 'success' }),
        command('on-failure', { when: 'failure' }),
      ],
    });
    const failure = await run();
    expect(failure).toBeInstanceOf(JobFailure);
    expect(failure?.code).toBe('HOOK_FAILED');
    expect(failure?.message).toBe(
      'before[0] http POST http://host/dump/500: status 500; the backup did not run',
    );
    expect(resticCalls).toEqual([]);
    expect(stepsOf(job)).toEqual([
      'before[0] http POST http://host/dump/500: failed',
      'after[1] command on-failure: succeeded',
    ]);
    expect(scripted.runs.at(-1)?.run.status).toBe('failure');
    expect(logs.map((l) => l.message)).toContain(
      'the backup did not run: a before hook failed with onFailure break',
    );
  });

  it('before continue: the backup runs but the job fails', async () => {
    const { run, job, resticCalls } = setup({
      before: [command('false', { onFailure: 'continue' })],
    });
    const failure = await run();
    expect(failure?.message).toBe('before[0] command false: exited with code 1');
    expect(resticCalls).toEqual(['r1', 'r2']);
    expect(job.snapshotIds).toHaveLength(2);
  });

  it('before ignore: the backup runs and succeeds with a warning', async () => {
    const { run, job } = setup({ before: [command('false', { onFailure: 'ignore' })] });
    await expect(run()).resolves.toBeNull();
    expect(job.warnings).toEqual(['before[0] command false: exited with code 1']);
  });

  it('after break: the remaining after hooks do not run and the job fails', async () => {
    const { run, job, scripted } = setup({
      after: [command('false', { onFailure: 'break' }), command('true')],
    });
    const failure = await run();
    expect(failure?.message).toBe('after[0] command false: exited with code 1');
    expect(scripted.runs).toHaveLength(1);
    expect(stepsOf(job).at(-1)).toBe('after[0] command false: failed');
  });

  it('a failed repository makes the outcome a failure for after hooks; errors list everything', async () => {
    const { run, scripted } = setup(
      {
        before: [command('false', { onFailure: 'continue' })],
        after: [command('alert', { when: 'failure' }), command('false', { onFailure: 'continue' })],
      },
      ['r1', 'broken'],
    );
    const failure = await run();
    expect(failure?.code).toBe('BACKUP_FAILED');
    expect(failure?.message).toBe(
      'before[0] command false: exited with code 1; ' +
        '1 of 2 repositories failed (broken: repository does not exist); ' +
        'after[1] command false: exited with code 1',
    );
    expect(scripted.runs.map((r) => r.run.status)).toEqual([undefined, 'failure', 'failure']);
  });

  it('keeps the repository code and message when only a repository failed', async () => {
    const { run } = setup({}, ['broken']);
    const failure = await run();
    expect(failure?.code).toBe('NO_REPO');
    expect(failure?.message).toBe('1 of 1 repositories failed (broken: repository does not exist)');
  });

  describe('when the job is stopped while restic runs', () => {
    const afterHooks = [
      command('on-success', { when: 'success' }),
      command('restart-db', { when: 'failure' }),
      command('notify', { when: 'always' }),
    ];

    it('canceled: still runs the after hooks for failure and always, under their own timeouts', async () => {
      const controller = new AbortController();
      const { run, job, scripted } = setup(
        { before: [command('stop-db')], after: afterHooks },
        ['slow'],
        controller,
      );
      const outcome = run();
      await new Promise((r) => setImmediate(r));
      controller.abort(new Error('canceled'));
      await expect(outcome).resolves.toBeInstanceOf(Error);
      expect(scripted.runs.map((r) => r.hook.type === 'command' && r.hook.command[0])).toEqual([
        'stop-db',
        'restart-db',
        'notify',
      ]);
      expect(scripted.runs.slice(1).map((r) => [r.run.status, r.run.signal.aborted])).toEqual([
        ['failure', false],
        ['failure', false],
      ]);
      expect(stepsOf(job).slice(-2)).toEqual([
        'after[1] command restart-db: succeeded',
        'after[2] command notify: succeeded',
      ]);
    });

    it('shutting down: leaves the after hooks out and says so', async () => {
      const controller = new AbortController();
      const { run, logs, scripted } = setup(
        { before: [command('stop-db')], after: afterHooks },
        ['slow'],
        controller,
      );
      const outcome = run();
      await new Promise((r) => setImmediate(r));
      controller.abort(new Error('shutdown'));
      await outcome;
      expect(scripted.runs).toHaveLength(1);
      expect(logs.map((l) => l.message)).toContain('after hooks not run: the daemon is stopping');
    });
  });
});
