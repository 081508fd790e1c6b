import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseExposition, samplesOf, valueOf, type Exposition } from '../support/exposition';
import { Daemon, startDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd, waitForJobs } from './support/wait';

const PASSWORD = 'metrics-e2e-password-2718';
const TOKENS = {
  viewer: 'metrics-viewer-token-0123456789',
  admin: 'metrics-admin-token-0123456789',
};

/**
 * /metrics and /health on the real daemon: real backups into a local repository, one into a
 * repository made beforehand under another password (so it fails), then a restart.
 */
describe('metrics and health endpoints', () => {
  const dir = tempDir('e2e-metrics');
  const good = join(dir.path, 'good-repository');
  const wrong = join(dir.path, 'wrong-password-repository');
  let configPath: string;
  let port: number;
  let daemon: Daemon;
  let startedAt: number;
  let admin: GraphQLTestClient;
  let viewer: GraphQLTestClient;

  const http = (path: string, token?: string) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const scrape = async (): Promise<Exposition> => {
    const response = await http('/metrics', TOKENS.viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };
  const stateAtEnd = async (id: string): Promise<string> => (await waitForEnd(admin, id)).state;

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'docs'), 4, 4096);
    writeRandomFiles(join(dir.path, 'other'), 2, 1024);
    // A repository that exists, under a password the configuration does not know.
    resticDirect(wrong, 'not-the-configured-password', ['init']);
    startedAt = Date.now();
    ({ daemon, port, configPath } = await startDaemon(dir.path, {
      hostname: 'metrics-host',
      api: {
        tokens: [
          { name: 'grafana', role: 'viewer', token: TOKENS.viewer },
          { name: 'me', role: 'admin', token: TOKENS.admin },
        ],
      },
      repositories: {
        good: { location: good, password: PASSWORD },
        wrong: { location: wrong, password: PASSWORD },
      },
      backups: {
        // never run: due at once, so the daemon backs it up by itself at startup
        docs: {
          paths: [join(dir.path, 'docs')],
          repositories: ['good'],
          schedules: ['1h'],
          retention: { keepLast: 1 },
        },
        broken: { paths: [join(dir.path, 'other')], repositories: ['wrong'] },
      },
    }));
    admin = new GraphQLTestClient(port, TOKENS.admin);
    viewer = new GraphQLTestClient(port, TOKENS.viewer);
  });

  afterAll(async () => {
    if (daemon) await daemon.stop();
    dir.cleanup();
  });

  it('answers /health/live and /health/ready without a token, as JSON', async () => {
    const live = await http('/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'alive' });
    const ready = await http('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: {
        config: { ok: true },
        database: { ok: true },
        restic: { ok: true, detail: expect.stringMatching(/^restic 0\.\d+/) },
        disk: {
          ok: true,
          detail: expect.stringMatching(/ free in the data directory/),
          freeBytes: expect.any(Number),
        },
      },
    });
  });

  it('keeps /metrics behind the bearer tokens: 401 without or with a bad token, 200 for a viewer', async () => {
    const without = await http('/metrics');
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await http('/metrics', 'not-a-token')).status).toBe(401);
    expect((await http('/metrics', TOKENS.viewer)).status).toBe(200);
    expect((await http('/metrics', TOKENS.admin)).status).toBe(200);
  });

  it('reports successes, failures, bytes, files and snapshots from real backups', async () => {
    await waitForJobs(admin, [], 1); // the startup inits and the scheduled backup of docs
    // a second backup of docs, with new data, and one of broken into the wrong-password repository
    writeRandomFiles(join(dir.path, 'docs', 'more'), 2, 8192);
    const { runBackup: second } = await admin.data(`mutation { runBackup(name: "docs") { id } }`);
    expect(await stateAtEnd(second.id)).toBe('SUCCEEDED');
    const { runBackup: failing } = await admin.data(
      `mutation { runBackup(name: "broken") { id } }`,
    );
    expect(await stateAtEnd(failing.id)).toBe('FAILED');
    // the snapshot index's follow-up job waits for jobs.idleDelay, then runs: let it end
    await waitForJobs(admin, [], 4);

    const m = await scrape();
    const now = Date.now() / 1000;
    const docs = { backup: 'docs' };
    const docsGood = { backup: 'docs', repository: 'good' };
    const success = valueOf(m, 'hen_backup_backup_last_success_timestamp_seconds', docs)!;
    expect(success).toBeGreaterThanOrEqual(startedAt / 1000);
    expect(success).toBeLessThanOrEqual(now);
    expect(valueOf(m, 'hen_backup_backup_last_failure_timestamp_seconds', docs)).toBeUndefined();
    expect(valueOf(m, 'hen_backup_backup_last_duration_seconds', docs)).toBeGreaterThan(0);
    // the step ends just before its job
    const stepSuccess = valueOf(
      m,
      'hen_backup_repository_last_success_timestamp_seconds',
      docsGood,
    )!;
    expect(stepSuccess).toBeLessThanOrEqual(success);
    expect(stepSuccess).toBeGreaterThan(success - 60);
    expect(valueOf(m, 'hen_backup_repository_last_added_bytes', docsGood)).toBeGreaterThan(0);
    expect(valueOf(m, 'hen_backup_repository_last_processed_bytes', docsGood)).toBe(
      4 * 4096 + 2 * 8192,
    );
    expect(valueOf(m, 'hen_backup_repository_last_processed_files', docsGood)).toBe(6);
    expect(valueOf(m, 'hen_backup_repository_snapshots', docsGood)).toBe(2);
    expect(resticDirect(good, PASSWORD, ['snapshots', '--json']).match(/"id"/g)).toHaveLength(2);

    const broken = { backup: 'broken' };
    expect(
      valueOf(m, 'hen_backup_backup_last_failure_timestamp_seconds', broken),
    ).toBeLessThanOrEqual(now);
    expect(valueOf(m, 'hen_backup_backup_last_success_timestamp_seconds', broken)).toBeUndefined();
    expect(
      valueOf(m, 'hen_backup_repository_last_failure_timestamp_seconds', {
        backup: 'broken',
        repository: 'wrong',
      }),
    ).toBeGreaterThan(0);
    expect(valueOf(m, 'hen_backup_repository_snapshots', { ...broken, repository: 'wrong' })).toBe(
      0,
    );

    expect(m.types.hen_backup_jobs_run_total).toBe('counter');
    expect(valueOf(m, 'hen_backup_jobs_run_total', { operation: 'backup' })).toBe(3);
    expect(valueOf(m, 'hen_backup_jobs_failed_total', { operation: 'backup' })).toBe(1);
    // the startup check of the wrong-password repository fails too
    expect(valueOf(m, 'hen_backup_jobs_failed_total', { operation: 'init' })).toBe(1);
    expect(valueOf(m, 'hen_backup_job_duration_seconds_count', { operation: 'backup' })).toBe(3);
    expect(
      valueOf(m, 'hen_backup_job_duration_seconds_bucket', { operation: 'backup', le: '+Inf' }),
    ).toBe(3);
    expect(samplesOf(m, 'hen_backup_queued_jobs').map((s) => s.value)).not.toContain(1);
    expect(valueOf(m, 'hen_backup_running_jobs', { priority: 'normal' })).toBe(0);
    expect(valueOf(m, 'hen_backup_watchers_active')).toBe(0);
    const nextRun = valueOf(m, 'hen_backup_schedule_next_run_timestamp_seconds', {
      operation: 'backup',
      backup: 'docs',
    })!;
    expect(nextRun).toBeGreaterThan(now + 3000);
    expect(valueOf(m, 'hen_backup_backup_overdue', docs)).toBe(0);
    const [info] = samplesOf(m, 'hen_backup_info');
    expect(info).toEqual({
      name: 'hen_backup_info',
      labels: {
        hostname: 'metrics-host',
        version: '0.1.0',
        restic_version: expect.stringMatching(/^0\.\d+\.\d+/),
      },
      value: 1,
    });
  });

  it('summarises each backup in the status query', async () => {
    const { status } = await viewer.data(
      `{ status { backups { name lastJob { state endedAt } lastSuccessAt lastFailureAt nextRunAt overdue } } }`,
    );
    const byName = Object.fromEntries(status.backups.map((b: any) => [b.name, b]));
    expect(byName.docs).toEqual({
      name: 'docs',
      lastJob: { state: 'SUCCEEDED', endedAt: expect.any(String) },
      lastSuccessAt: byName.docs.lastJob.endedAt,
      lastFailureAt: null,
      nextRunAt: expect.any(String),
      overdue: false,
    });
    expect(Date.parse(byName.docs.nextRunAt)).toBeGreaterThan(Date.now() + 3_000_000);
    expect(byName.broken).toEqual({
      name: 'broken',
      lastJob: { state: 'FAILED', endedAt: expect.any(String) },
      lastSuccessAt: null,
      lastFailureAt: byName.broken.lastJob.endedAt,
      nextRunAt: null,
      overdue: false, // no schedules: never overdue
    });
  });

  it('ends every job with a structured log line for log pipelines', () => {
    const ends = daemon.stdout
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      })
      .filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('ended '));
    const failed = ends.find((e) => e.operation === 'backup' && e.state === 'failed');
    expect(failed).toMatchObject({
      backup: 'broken',
      repository: 'wrong',
      trigger: 'api',
      durationSeconds: expect.any(Number),
      bytesAdded: 0,
      filesProcessed: 0,
      jobId: expect.any(Number),
    });
    const scheduled = ends.find((e) => e.operation === 'backup' && e.trigger === 'schedule');
    expect(scheduled).toMatchObject({
      backup: 'docs',
      repository: 'good',
      state: 'succeeded',
      bytesAdded: expect.any(Number),
      filesProcessed: 4,
    });
    expect(scheduled!.bytesAdded as number).toBeGreaterThan(0);
  });

  it('passes promtool check metrics after backups, a failure and a check, with no empty label', async () => {
    const { checkRepository } = await admin.data(
      `mutation { checkRepository(name: "good") { id } }`,
    );
    expect(await stateAtEnd(checkRepository.id)).toBe('SUCCEEDED');
    const response = await http('/metrics', TOKENS.viewer);
    const text = await response.text();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({
      status: 0,
      output: '',
    });
    const m = parseExposition(text);
    for (const sample of m.samples) {
      expect(sample.labels.hostname).toBe('metrics-host');
      for (const value of Object.values(sample.labels)) expect(value).not.toBe('');
    }
    expect(
      samplesOf(m, 'hen_backup_maintenance_last_success_timestamp_seconds', {
        operation: 'check',
      }).map((s) => s.labels),
    ).toEqual([{ hostname: 'metrics-host', operation: 'check', repository: 'good' }]);
    expect(valueOf(m, 'hen_backup_repository_reachable', { repository: 'good' })).toBe(1);
    // a wrong password: restic reached the store and was refused
    expect(valueOf(m, 'hen_backup_repository_reachable', { repository: 'wrong' })).toBe(1);
    expect(valueOf(m, 'hen_backup_backup_consecutive_failures', { backup: 'broken' })).toBe(1);
    expect(valueOf(m, 'hen_backup_backup_consecutive_failures', { backup: 'docs' })).toBe(0);
    expect(
      valueOf(m, 'hen_backup_added_bytes_total', { backup: 'docs', repository: 'good' }),
    ).toBeGreaterThan(4 * 4096 + 2 * 8192);
  });

  it('counts the snapshots a prune kept, and records the prune', async () => {
    const { pruneBackup } = await admin.data(`mutation { pruneBackup(name: "docs") { id } }`);
    expect(await stateAtEnd(pruneBackup.id)).toBe('SUCCEEDED');
    const m = await scrape();
    expect(
      valueOf(m, 'hen_backup_repository_snapshots', { backup: 'docs', repository: 'good' }),
    ).toBe(1);
    expect(resticDirect(good, PASSWORD, ['snapshots', '--json']).match(/"id"/g)).toHaveLength(1);
    expect(
      valueOf(m, 'hen_backup_maintenance_last_success_timestamp_seconds', {
        operation: 'prune',
        backup: 'docs',
        repository: 'good',
      }),
    ).toBeLessThanOrEqual(Date.now() / 1000);
    expect(valueOf(m, 'hen_backup_jobs_run_total', { operation: 'prune' })).toBe(1);
  });

  it('rebuilds the last success and failure gauges from the job history after a restart', async () => {
    const before = await scrape();
    await daemon.stop();
    daemon = await Daemon.start(configPath);
    expect((await http('/health/ready')).status).toBe(200);
    const after = await scrape();
    for (const [name, labels] of [
      ['hen_backup_backup_last_success_timestamp_seconds', { backup: 'docs' }],
      ['hen_backup_backup_last_failure_timestamp_seconds', { backup: 'broken' }],
      ['hen_backup_repository_last_added_bytes', { backup: 'docs', repository: 'good' }],
      ['hen_backup_repository_snapshots', { backup: 'docs', repository: 'good' }],
      [
        'hen_backup_maintenance_last_success_timestamp_seconds',
        { operation: 'prune', backup: 'docs', repository: 'good' },
      ],
    ] as const) {
      expect(valueOf(after, name, labels)).toBe(valueOf(before, name, labels));
    }
    // counters start again with the process
    expect(valueOf(after, 'hen_backup_jobs_failed_total', { operation: 'backup' })).toBe(0);
  });
});
