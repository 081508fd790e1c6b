/**
 * Backup hooks through the real job stack (runner, store, logs) and the real BackupJobHandler:
 * HTTP hooks against a node:http server on 127.0.0.1, command hooks as real processes, and the
 * restic steps against a real local repository. Time bounds below are upper limits on how long
 * a cut hook may take, never sleeps.
 */
import { Logger } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BackupJobHandler } from '../../src/backups/backup-job.handler';
import { BackupsService } from '../../src/backups/backups.service';
import { CommandHookRunner } from '../../src/backups/hooks/command-hook-runner';
import { HookRunner } from '../../src/backups/hooks/hook-runner.service';
import { HttpHookClient } from '../../src/backups/hooks/http-hook-client';
import { HttpHookRunner } from '../../src/backups/hooks/http-hook-runner';
import { Clock } from '../../src/common/clock';
import { SecretScrubber } from '../../src/common/secret-scrubber';
import type { CommandHook, HenConfig, HookConfig, HttpHook } from '../../src/config/config.types';
import { JobEvents } from '../../src/jobs/job-events';
import { JobHandlers } from '../../src/jobs/job-handlers';
import { JobLogService } from '../../src/jobs/job-log.service';
import { JobRunner } from '../../src/jobs/job-runner.service';
import { JobStore } from '../../src/jobs/job-store';
import type { Job, JobLogEntry } from '../../src/jobs/job.types';
import { StateDatabase } from '../../src/state/state-database';
import { RepositoryIdentityStore } from '../../src/jobs/repository-identity-store';
import { RepositoryOpener } from '../../src/repositories/repository-opener';
import { RepositoryStates } from '../../src/repositories/repository-states';
import { RepositoriesService } from '../../src/repositories/repositories.service';
import { ProcessRunner } from '../../src/process/process-runner';
import { ResticService } from '../../src/repositories/restic.service';
import { writeDataset } from '../support/dataset';
import { SYSTEM_RESTIC, TEST_PASSWORD, useResticBin } from '../support/restic';
import { waitFor } from '../support/wait-for';
import { TempDirs } from '../support/temp-dir';
import { makeRepositoryConfig, makeTestConfig } from '../support/test-config';
import { LiveConfig } from '../../src/config/live-config';

const URL_PASSWORD = 'url-pa55word';
const ENV_SECRET = 'env-secret-value';
const NODE = process.execPath;

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The hook endpoints; anything else answers 404. */
function startServer(received: Received[], failuresLeft: Map<string, number>): Promise<Server> {
  const routes: Record<string, (res: ServerResponse, path: string) => void> = {
    '/ok': (res) => res.end('dumped 3 tables\nall good\n'),
    '/fail': (res) => {
      res.statusCode = 500;
      res.end('database is locked');
    },
    // fails as many times as its last path segment says, then succeeds
    '/flaky': (res, path) => {
      const left = failuresLeft.get(path) ?? Number(path.split('/').pop());
      failuresLeft.set(path, left - 1);
      res.statusCode = left > 0 ? 503 : 200;
      res.end(left > 0 ? 'not yet' : 'ready');
    },
    '/hang': () => undefined,
    '/hang-body': (res) => {
      res.writeHead(200);
      res.write('partial ');
    },
    '/big': (res) => res.end(`${'x'.repeat(99)}\n`.repeat(100)),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const route = routes[`/${path.split(/[/?]/)[1]}`];
      if (route) return route(res, path);
      res.statusCode = 404;
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('backup hooks', () => {
  const temp = new TempDirs();
  const received: Received[] = [];
  const failuresLeft = new Map<string, number>();
  let server: Server;
  let base: string;
  let config: HenConfig;
  let database: StateDatabase;
  let store: JobStore;
  let runner: JobRunner;
  let backups: BackupsService;
  let dataDir: string;
  let restoreBin: () => void;
  let count = 0;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    restoreBin = useResticBin(SYSTEM_RESTIC);
    server = await startServer(received, failuresLeft);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const root = await temp.make('hen-hooks-');
    dataDir = join(root, 'data');
    await writeDataset(dataDir, { 'a.txt': 'hello', 'sub/b.txt': 'world' });
    const password = { password: TEST_PASSWORD };
    config = makeTestConfig({
      dataDir: join(root, 'state'),
      repositories: {
        local: makeRepositoryConfig('local', join(root, 'repo'), password),
        // never initialised: restic fails at once, which makes a failed backup
        // a repository that cannot be opened nor created (a new one would be created at the
        // start of the backup): nothing can be made under /proc
        missing: makeRepositoryConfig('missing', '/proc/hen-backup-no-repo', password),
      },
      // what the config loader would collect from the hooks below
      secrets: [TEST_PASSWORD, URL_PASSWORD, ENV_SECRET],
    });
    database = new StateDatabase(config);
    store = new JobStore(database);
    const events = new JobEvents(new PubSub());
    const clock = new Clock();
    const scrubber = new SecretScrubber(config.secrets);
    const logs = new JobLogService(store, events, scrubber, clock);
    const handlers = new JobHandlers();
    runner = new JobRunner(new LiveConfig(config), store, handlers, events, logs, clock, scrubber);
    backups = new BackupsService(new LiveConfig(config), runner);
    const repositories = new RepositoriesService(new LiveConfig(config));
    const processes = new ProcessRunner();
    const restic = new ResticService(new LiveConfig(config), processes);
    await restic.init(repositories.target('local'));
    const commands = new CommandHookRunner(processes, clock);
    // short, so the SIGKILL test does not wait the daemon's 5 s
    commands.killGraceMs = 1_000;
    const hooks = new HookRunner(
      new HttpHookRunner(new HttpHookClient(), clock),
      commands,
      scrubber,
    );
    // no automatic retry of the unusable repository within the test (it has no init handler)
    const noRetry = { minMs: 3_600_000, maxMs: 3_600_000 };
    const opener = new RepositoryOpener(
      new LiveConfig({ ...config, jobs: { ...config.jobs, repositoryRetry: noRetry } }),
      repositories,
      restic,
      new RepositoryIdentityStore(database),
      new RepositoryStates(clock),
      runner,
      clock,
    );
    handlers.register(
      new BackupJobHandler(new LiveConfig(config), backups, repositories, restic, hooks, opener),
    );
    runner.start();
  });

  afterAll(async () => {
    await runner.beforeApplicationShutdown();
    database.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    restoreBin();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
    await temp.cleanup();
  });

  const http = (path: string, overrides: Partial<HttpHook> = {}): HttpHook => ({
    type: 'http',
    url: `${base}${path}`,
    method: 'POST',
    headers: {},
    retries: 0,
    expectedStatus: [],
    timeoutMs: 10_000,
    onFailure: 'break',
    when: 'always',
    ...overrides,
  });
  const command = (argv: string[], overrides: Partial<CommandHook> = {}): CommandHook => ({
    type: 'command',
    command: argv,
    env: {},
    timeoutMs: 10_000,
    onFailure: 'break',
    when: 'always',
    ...overrides,
  });
  /** prints what a script learns from its environment */
  const report = (tag: string, overrides: Partial<CommandHook> = {}) =>
    command(
      [
        'sh',
        '-c',
        `echo "${tag} status=$HEN_BACKUP_STATUS name=$HEN_BACKUP_NAME job=$HEN_BACKUP_JOB_ID"`,
      ],
      overrides,
    );

  function define(hooks: { before?: HookConfig[]; after?: HookConfig[] }, repos = ['local']) {
    const name = `hooked-${++count}`;
    config.backups[name] = {
      name,
      paths: [dataDir],
      excludes: [],
      tags: [],
      repositories: repos,
      schedules: [],
      watch: null,
      priority: 0,
      limits: {},
      retention: null,
      prune: null,
      hooks: { before: hooks.before ?? [], after: hooks.after ?? [] },
    };
    return name;
  }

  /** Queues a backup with these hooks and waits for it to end. */
  async function backUp(hooks: { before?: HookConfig[]; after?: HookConfig[] }, repos?: string[]) {
    const queued = backups.request(define(hooks, repos), 'api');
    await runner.idle();
    return ended(queued.id);
  }

  function ended(id: number): { job: Job; log: JobLogEntry[]; messages: string[] } {
    const job = store.get(id)!;
    const log = store.logs(id, { size: 10_000, fromEnd: false }).items;
    return { job, log, messages: log.map((e) => e.message) };
  }

  const steps = (job: Job) => job.steps.map((s) => `${s.kind} ${s.name}: ${s.state}`);

  describe('on a backup that succeeds', () => {
    it('runs before hooks, restic, then the after hooks whose `when` matches success', async () => {
      const { job, messages } = await backUp({
        before: [
          http('/ok', {
            method: 'PUT',
            headers: { 'Content-Type': 'application/json', 'X-Dump': 'full' },
            body: '{"tables":"all"}',
          }),
        ],
        after: [
          report('on-success', { when: 'success' }),
          report('on-failure', { when: 'failure' }),
          report('always', { when: 'always' }),
        ],
      });
      expect(job.state).toBe('succeeded');
      expect(steps(job)).toEqual([
        `hook before[0] http PUT ${base}/ok: succeeded`,
        'restic repository local: succeeded',
        'hook after[0] command sh: succeeded',
        'hook after[2] command sh: succeeded',
      ]);
      expect(job.snapshotIds).toHaveLength(1);
      for (const step of job.steps) expect(step.startedAt! <= step.endedAt!).toBe(true);
      expect(received.at(-1)).toMatchObject({
        method: 'PUT',
        path: '/ok',
        body: '{"tables":"all"}',
        headers: { 'content-type': 'application/json', 'x-dump': 'full' },
      });
      expect(messages).toContain(`on-success status=success name=${job.backup} job=${job.id}`);
      expect(messages).toContain(`always status=success name=${job.backup} job=${job.id}`);
      expect(messages.join('\n')).not.toContain('on-failure status');
      expect(messages).toContain(
        `after[1] command sh not run: it runs on failure, the job so far is a success`,
      );
    });
  });

  describe('on a backup that fails', () => {
    it('runs the after hooks whose `when` matches failure, and tells them', async () => {
      const { job, messages } = await backUp(
        {
          after: [
            report('on-success', { when: 'success' }),
            report('on-failure', { when: 'failure' }),
            report('always', { when: 'always' }),
          ],
        },
        ['missing'],
      );
      expect(job.state).toBe('failed');
      expect(steps(job)).toEqual([
        'restic repository missing: failed',
        'hook after[1] command sh: succeeded',
        'hook after[2] command sh: succeeded',
      ]);
      expect(job.error?.message).toMatch(/^1 of 1 repositories failed \(missing: /);
      expect(messages).toContain(`on-failure status=failure name=${job.backup} job=${job.id}`);
      expect(messages).toContain(`always status=failure name=${job.backup} job=${job.id}`);
      expect(messages.join('\n')).not.toContain('on-success status');
    });
  });

  describe('before hook failures', () => {
    it('break: no restic step, the job fails naming the hook, after hooks see a failure', async () => {
      const { job, log, messages } = await backUp({
        before: [http('/fail', { onFailure: 'break' }), report('never')],
        after: [report('after', { when: 'failure' })],
      });
      const hookName = `before[0] http POST ${base}/fail`;
      expect(job.state).toBe('failed');
      expect(job.error).toEqual({
        code: 'HOOK_FAILED',
        message: `${hookName}: status 500; the backup did not run`,
      });
      expect(steps(job)).toEqual([
        `hook ${hookName}: failed`,
        'hook after[0] command sh: succeeded',
      ]);
      expect(job.steps[0].error?.message).toBe(`${hookName}: status 500`);
      expect(job.snapshotIds).toEqual([]);
      expect(messages).toContain(`after status=failure name=${job.backup} job=${job.id}`);
      // the answer is in the hook step's log
      const answer = log.find((e) => e.message === 'database is locked');
      expect(answer?.path).toMatch(
        new RegExp(`> ${hookName.replace(/[.[\]]/g, '\\$&')} > response$`),
      );
      expect(messages).toContain('status 500 Internal Server Error');
    });

    it('continue: the backup runs, yet the job fails with the hook named', async () => {
      const { job } = await backUp({
        before: [command(['sh', '-c', 'exit 3'], { onFailure: 'continue' })],
      });
      expect(job.state).toBe('failed');
      expect(job.error).toEqual({
        code: 'HOOK_FAILED',
        message: 'before[0] command sh: exited with code 3',
      });
      expect(steps(job)).toEqual([
        'hook before[0] command sh: failed',
        'restic repository local: succeeded',
      ]);
      expect(job.snapshotIds).toHaveLength(1);
    });

    it('ignore: the backup runs and succeeds, the failure is a warning', async () => {
      const { job } = await backUp({
        before: [http('/fail', { onFailure: 'ignore' })],
      });
      expect(job.state).toBe('succeeded');
      expect(job.warnings).toEqual([`before[0] http POST ${base}/fail: status 500`]);
      expect(job.snapshotIds).toHaveLength(1);
      // the hook's step says it failed, without failing the job
      expect(steps(job)).toEqual([
        `hook before[0] http POST ${base}/fail: warned`,
        'restic repository local: succeeded',
      ]);
    });
  });

  describe('after hook failures', () => {
    it('break: the remaining after hooks do not run and the job fails', async () => {
      const { job, messages } = await backUp({
        after: [command(['false'], { onFailure: 'break' }), report('later')],
      });
      expect(job.state).toBe('failed');
      expect(job.error?.message).toBe('after[0] command false: exited with code 1');
      expect(steps(job)).toEqual([
        'restic repository local: succeeded',
        'hook after[0] command false: failed',
      ]);
      expect(job.snapshotIds).toHaveLength(1);
      expect(messages).toContain(
        'after[1] command sh not run: an earlier hook failed with onFailure break',
      );
    });

    it('continue: the next after hooks run, seeing a failure, and the job fails', async () => {
      const { job, messages } = await backUp({
        after: [
          http('/fail', { onFailure: 'continue' }),
          report('on-failure', { when: 'failure' }),
        ],
      });
      expect(job.state).toBe('failed');
      expect(job.error?.message).toBe(`after[0] http POST ${base}/fail: status 500`);
      expect(messages).toContain(`on-failure status=failure name=${job.backup} job=${job.id}`);
    });

    it('ignore: a warning only, and later hooks still see a success', async () => {
      const { job, messages } = await backUp({
        after: [command(['false'], { onFailure: 'ignore' }), report('next', { when: 'success' })],
      });
      expect(job.state).toBe('succeeded');
      expect(job.warnings).toEqual(['after[0] command false: exited with code 1']);
      expect(messages).toContain(`next status=success name=${job.backup} job=${job.id}`);
    });
  });

  describe('HTTP hooks', () => {
    it('retries with backoff until the server answers well', async () => {
      const { job, messages } = await backUp({
        before: [http('/flaky/retry-1/1', { retries: 2 })],
      });
      expect(job.state).toBe('succeeded');
      expect(received.filter((r) => r.path === '/flaky/retry-1/1')).toHaveLength(2);
      expect(messages).toEqual(
        expect.arrayContaining([
          'attempt 1 of 3 failed: status 503',
          'retrying in 1 s (attempt 2 of 3)',
          'ready',
        ]),
      );
    });

    it('cuts a server that hangs, before or after its headers, at the timeout', async () => {
      const started = Date.now();
      const { job } = await backUp({
        before: [
          http('/hang-body', { timeoutMs: 300, onFailure: 'ignore' }),
          http('/hang', { timeoutMs: 300, onFailure: 'break' }),
        ],
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(job.state).toBe('failed');
      expect(job.warnings).toEqual([
        `before[0] http POST ${base}/hang-body: timed out after 300 ms`,
      ]);
      expect(job.error?.message).toBe(
        `before[1] http POST ${base}/hang: timed out after 300 ms; the backup did not run`,
      );
    });

    it('logs only the start of a long answer', async () => {
      const { log } = await backUp({ before: [http('/big', { method: 'GET' })] });
      const lines = log.filter((e) => e.path.endsWith('> response'));
      expect(lines.length).toBeLessThanOrEqual(43);
      expect(lines.at(-1)?.message).toBe('(response cut after its first 4096 bytes)');
    });

    it('sends URL credentials as basic auth and shows them masked', async () => {
      const url = `http://hook:${URL_PASSWORD}@${base.slice('http://'.length)}/ok?token=abc`;
      const { job, log } = await backUp({ before: [{ ...http('/ok'), url }] });
      expect(job.state).toBe('succeeded');
      expect(job.steps[0].name).toBe(`before[0] http POST http://hook:***@${base.slice(7)}/ok?…`);
      expect(received.at(-1)?.headers.authorization).toBe(
        `Basic ${Buffer.from(`hook:${URL_PASSWORD}`).toString('base64')}`,
      );
      expect(JSON.stringify(log)).not.toContain(URL_PASSWORD);
    });
  });

  describe('command hooks', () => {
    it('logs every stdout and stderr line, scrubbed, and runs in cwd with the given env', async () => {
      const { job, log } = await backUp({
        before: [
          command(['sh', '-c', 'echo "in $(pwd)"; echo "warn: $TOKEN" >&2; echo "HOME=$HOME"'], {
            cwd: '/tmp',
            env: { TOKEN: ENV_SECRET },
          }),
        ],
      });
      expect(job.state).toBe('succeeded');
      const lines = log.filter((e) => /> (stdout|stderr)$/.test(e.path));
      // two pipes: the order between stdout and stderr lines is not guaranteed
      const seen = lines.map((e) => [e.path.split(' > ').pop(), e.message]);
      expect(seen).toHaveLength(3);
      expect(seen).toEqual(
        expect.arrayContaining([
          ['stdout', 'in /tmp'],
          ['stderr', 'warn: ***'],
          ['stdout', `HOME=${process.env.HOME ?? ''}`],
        ]),
      );
    });

    it('does not pass the daemon environment on', async () => {
      process.env.HEN_TEST_LEAK = 'leaked';
      try {
        const { messages } = await backUp({
          before: [command(['sh', '-c', 'echo "leak=${HEN_TEST_LEAK:-none}"'])],
        });
        expect(messages).toContain('leak=none');
      } finally {
        delete process.env.HEN_TEST_LEAK;
      }
    });

    it('kills a command at its timeout, SIGKILL when it ignores SIGINT', async () => {
      const stubborn = `process.on('SIGINT', () => console.log('ignoring SIGINT')); setInterval(() => {}, 1000); console.log('up')`;
      const started = Date.now();
      const { job, messages } = await backUp({
        // long enough for node to start and install its SIGINT handler on a busy machine
        before: [command([NODE, '-e', stubborn], { timeoutMs: 2_000 })],
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(job.error?.message).toBe(
        `before[0] command ${NODE}: timed out after 2 s; the backup did not run`,
      );
      expect(messages).toEqual(expect.arrayContaining(['up', 'ignoring SIGINT']));
      expect(messages.some((m) => m.startsWith('killed by SIGKILL'))).toBe(true);
    });

    it('fails a program that does not exist, naming it', async () => {
      const { job } = await backUp({ before: [command(['no-such-hook-program'])] });
      expect(job.error?.message).toBe(
        'before[0] command no-such-hook-program: cannot start "no-such-hook-program": not found; the backup did not run',
      );
    });
  });

  describe('cancel', () => {
    async function cancelDuring(hook: HookConfig) {
      const queued = backups.request(define({ before: [hook], after: [report('after')] }), 'api');
      await waitFor(
        () => runner.live(queued.id)?.steps[0]?.state === 'running',
        'the hook to start',
      );
      const started = Date.now();
      runner.cancel(queued.id);
      await runner.idle();
      return { ...ended(queued.id), took: Date.now() - started };
    }

    it('stops a running command hook; the after hooks still run, seeing a failure', async () => {
      const { job, took, messages } = await cancelDuring(command(['sleep', '30']));
      expect(took).toBeLessThan(5_000);
      expect(job.state).toBe('canceled');
      expect(steps(job)).toEqual([
        'hook before[0] command sleep: canceled',
        'hook after[0] command sh: succeeded',
      ]);
      expect(messages).toContain(`after status=failure name=${job.backup} job=${job.id}`);
    });

    it('stops a running HTTP hook', async () => {
      const { job, took } = await cancelDuring(http('/hang', { timeoutMs: 60_000 }));
      expect(took).toBeLessThan(5_000);
      expect(job.state).toBe('canceled');
      expect(steps(job)).toEqual([
        `hook before[0] http POST ${base}/hang: canceled`,
        'hook after[0] command sh: succeeded',
      ]);
    });
  });
});
