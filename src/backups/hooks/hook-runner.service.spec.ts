import { SecretScrubber } from '../../common/secret-scrubber';
import type { JobStep } from '../../jobs/job.types';
import { fakeJob, fakeJobContext } from '../../../test/support/fake-job-context';
import { HookRunner, backupStatusSoFar, hookApplies } from './hook-runner.service';
import { ScriptedHooks, command, http } from '../../../test/support/scripted-hooks';

function setup(secrets: string[] = []) {
  const hooks = new ScriptedHooks();
  const runner = new HookRunner(hooks.http, hooks.commands, new SecretScrubber(secrets));
  return { hooks, runner, ...fakeJobContext() };
}

const failedStep: JobStep = {
  name: 'repository r1',
  kind: 'restic',
  repository: 'r1',
  state: 'failed',
  startedAt: null,
  endedAt: null,
  error: { code: 'X', message: 'x' },
  snapshotId: null,
  summary: null,
};

describe('HookRunner', () => {
  it('runs hooks in order, each as a hook step named after it, logging into that step', async () => {
    const { runner, context, job, logs, hooks } = setup();
    const outcome = await runner.runStage(context, 'before', [
      command('true'),
      http('http://grafana:3000/dump'),
    ]);
    expect(outcome).toEqual({ failures: [], broke: false, aborted: false });
    expect(job.steps.map((s) => [s.name, s.kind, s.state])).toEqual([
      ['before[0] command true', 'hook', 'succeeded'],
      ['before[1] http POST http://grafana:3000/dump', 'hook', 'succeeded'],
    ]);
    expect(logs).toContainEqual({
      level: 'info',
      message: 'ran true',
      path: ['before[0] command true', 'stdout'],
    });
    expect(hooks.runs[0].run).toMatchObject({ stage: 'before', backup: 'pics', jobId: 7 });
    expect(hooks.runs[0].run.status).toBeUndefined();
  });

  it('ignore: a job warning, the step ends warned with its error and the job outcome is untouched', async () => {
    const { runner, context, job } = setup();
    const outcome = await runner.runStage(context, 'before', [
      http('http://host/dump/500', { onFailure: 'ignore' }),
      command('true'),
    ]);
    expect(outcome.failures).toEqual([]);
    expect(job.warnings).toEqual(['before[0] http POST http://host/dump/500: status 500']);
    expect(job.steps.map((s) => s.state)).toEqual(['warned', 'succeeded']);
    expect(job.steps[0].error).toEqual({
      code: 'HOOK_FAILED',
      message: 'before[0] http POST http://host/dump/500: status 500 (ignored: onFailure ignore)',
    });
    expect(backupStatusSoFar(job)).toBe('success');
  });

  it('continue: the step fails and the job will, but the next hooks run', async () => {
    const { runner, context, job } = setup();
    const outcome = await runner.runStage(context, 'before', [
      command('false', { onFailure: 'continue' }),
      command('true'),
    ]);
    expect(outcome).toEqual({
      failures: [{ code: 'HOOK_FAILED', message: 'before[0] command false: exited with code 1' }],
      broke: false,
      aborted: false,
    });
    expect(job.steps.map((s) => s.state)).toEqual(['failed', 'succeeded']);
    expect(job.steps[0].error?.message).toBe('before[0] command false: exited with code 1');
  });

  it('break: the step fails and the rest of the stage does not run', async () => {
    const { runner, context, job, logs, hooks } = setup();
    const outcome = await runner.runStage(context, 'after', [
      command('false', { onFailure: 'break' }),
      command('true'),
    ]);
    expect(outcome.broke).toBe(true);
    expect(outcome.failures).toHaveLength(1);
    expect(hooks.runs).toHaveLength(1);
    expect(job.steps).toHaveLength(1);
    expect(logs.map((l) => l.message)).toContain(
      'after[1] command true not run: an earlier hook failed with onFailure break',
    );
  });

  it('runs after hooks by `when` against the outcome so far, and tells them the status', async () => {
    const { runner, context, job, hooks } = setup();
    const after = [
      command('true', { when: 'success' }),
      command('on-failure', { when: 'failure' }),
      command('always', { when: 'always' }),
    ];
    await runner.runStage(context, 'after', after);
    expect(
      hooks.runs.map((r) => [r.hook.type === 'command' && r.hook.command[0], r.run.status]),
    ).toEqual([
      ['true', 'success'],
      ['always', 'success'],
    ]);

    const failed = setup();
    failed.job.steps.push({ ...failedStep });
    await failed.runner.runStage(failed.context, 'after', after);
    expect(
      failed.hooks.runs.map((r) => [r.hook.type === 'command' && r.hook.command[0], r.run.status]),
    ).toEqual([
      ['on-failure', 'failure'],
      ['always', 'failure'],
    ]);
    expect(job.steps.every((s) => s.kind === 'hook')).toBe(true);
  });

  it('lets a failing after hook turn the outcome for the after hooks that follow it', async () => {
    const { runner, context, hooks } = setup();
    await runner.runStage(context, 'after', [
      command('false', { onFailure: 'continue' }),
      command('notify', { when: 'failure' }),
    ]);
    expect(hooks.runs.map((r) => r.run.status)).toEqual(['success', 'failure']);
  });

  it('stops when the job is stopped and leaves the running step to the runner', async () => {
    const controller = new AbortController();
    const hooks = new ScriptedHooks();
    const runner = new HookRunner(hooks.http, hooks.commands, new SecretScrubber([]));
    const { context, job } = fakeJobContext(fakeJob(), controller.signal);
    const outcome = runner.runStage(context, 'before', [command('hang'), command('true')]);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(outcome).resolves.toMatchObject({ aborted: true, failures: [] });
    expect(job.steps.map((s) => s.state)).toEqual(['running']);
    expect(hooks.runs).toHaveLength(1);
  });

  it('treats a runner that throws as a failed hook, and scrubs secrets from what it reports', async () => {
    const { runner, context, job } = setup(['unexpected']);
    const outcome = await runner.runStage(context, 'before', [
      command('throw', { onFailure: 'continue' }),
      command('throw', { onFailure: 'ignore' }),
    ]);
    expect(outcome.failures[0].message).toBe('before[0] command throw: ***');
    expect(job.steps[0].error?.message).toBe('before[0] command throw: ***');
    expect(job.warnings).toEqual(['before[1] command throw: ***']);
  });

  it('matches when against a status', () => {
    expect(hookApplies('always', 'failure')).toBe(true);
    expect(hookApplies('success', 'failure')).toBe(false);
    expect(hookApplies('failure', 'failure')).toBe(true);
  });
});
