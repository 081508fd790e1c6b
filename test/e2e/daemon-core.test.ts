import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, startDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import {
  JOB_FIELDS as BASE_FIELDS,
  resticPidsOn,
  waitForEnd,
  waitForJobs,
  waitForProgress,
  jobNumber,
} from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'e2e-repository-password-4711';

const JOB_FIELDS = `${BASE_FIELDS} priority snapshotIds warnings
  progress { percent filesDone totalFiles bytesDone step } steps { snapshotId }`;

describe('the daemon, driven through GraphQL', () => {
  const dir = tempDir('e2e-core');
  const repository = join(dir.path, 'repository');
  let configPath: string;
  let port: number;
  let daemon: Daemon;
  let client: GraphQLTestClient;

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'quick'), 5, 2048);
    writeFileSync(join(dir.path, 'quick', 'skip.tmp'), 'excluded');
    // Incompressible data under a tight upload limit keeps this backup running for a while.
    writeRandomFiles(join(dir.path, 'slow'), 8, 512 * 1024);
    // the built daemon, as shipped: dist/main.js is the bundle of scripts/bundle-daemon.ts
    ({ daemon, client, port, configPath } = await startDaemon(
      dir.path,
      {
        hostname: 'e2e-host',
        jobs: { concurrency: 2, maxDuration: '10m' },
        repositories: { local: { location: repository, password: PASSWORD } },
        backups: {
          quick: { paths: [join(dir.path, 'quick')], excludes: ['*.tmp'], repositories: ['local'] },
          slow: {
            paths: [join(dir.path, 'slow')],
            repositories: ['local'],
            limits: { upload: '64K' },
          },
        },
      },
      { entry: 'dist' },
    ));
    await waitForJobs(client, 'INIT', 1);
  });

  afterAll(async () => {
    await client?.close();
    if (daemon) await daemon.stop();
    dir.cleanup();
  });

  it('initialises the repository at startup, once', async () => {
    const { jobs } = await client.data(
      `{ jobs(filter: { operations: [INIT] }) { edges { node { state trigger } } } }`,
    );
    expect(jobs.edges.map((e: any) => e.node)).toEqual([
      { state: 'SUCCEEDED', trigger: 'STARTUP' },
    ]);
    expect(resticDirect(repository, PASSWORD, ['cat', 'config'])).toContain('"id"');
  });

  it('answers status, backups and repositories, with the location shown and no password', async () => {
    const data = await client.data(`{
      status { version resticVersion hostname uptimeSeconds queuedJobs runningJobs }
      backups { name paths excludes priority repositories { name location backend } }
      repository(name: "local") { name location backend inline }
    }`);
    expect(data.status).toMatchObject({
      hostname: 'e2e-host',
      resticVersion: expect.stringMatching(/^0\.\d+/),
    });
    expect(data.backups.map((b: any) => b.name).sort()).toEqual(['quick', 'slow']);
    expect(data.backups.find((b: any) => b.name === 'quick')).toMatchObject({
      excludes: ['*.tmp'],
      priority: 'normal',
      repositories: [{ name: 'local', location: repository, backend: 'LOCAL' }],
    });
    expect(data.repository).toEqual({
      name: 'local',
      location: repository,
      backend: 'LOCAL',
      inline: false,
    });
    expect(JSON.stringify(data)).not.toContain(PASSWORD);
  });

  it('runs a backup: jobUpdated goes QUEUED, RUNNING, progress, SUCCEEDED; snapshots and logs show it', async () => {
    const updates = await client.subscribe(
      `subscription { jobUpdated(filter: { backup: "quick" }) { ${JOB_FIELDS} } }`,
    );
    const { runBackup } = await client.data(
      `mutation { runBackup(name: "quick") { id state trigger } }`,
    );
    // With a free slot the job may already have started by the time the mutation answers.
    expect(runBackup.trigger).toBe('API');
    expect(['QUEUED', 'RUNNING']).toContain(runBackup.state);

    const events = await updates.until((e) =>
      e.some((x: any) => x.jobUpdated.state === 'SUCCEEDED'),
    );
    updates.close();
    const jobEvents = events
      .map((e: any) => e.jobUpdated)
      .filter((j: any) => j.id === runBackup.id);
    const states = jobEvents
      .map((j: any) => j.state)
      .filter((s: string, i: number, all: string[]) => s !== all[i - 1]);
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(jobEvents.some((j: any) => j.state === 'RUNNING' && j.progress !== null)).toBe(true);

    const done = jobEvents.at(-1);
    expect(done.snapshotIds).toHaveLength(1);
    expect(done.snapshotIds[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(done.steps).toEqual([
      {
        name: 'repository local',
        state: 'SUCCEEDED',
        repository: 'local',
        snapshotId: done.snapshotIds[0],
        error: null,
      },
    ]);

    const { snapshots } = await client.data(
      `query($r: String!, $b: String) { snapshots(repository: $r, backup: $b) { edges { cursor node { id: snapshotId shortId hostname paths tags backup: backupName } } pageInfo { hasNextPage endCursor } } }`,
      { r: 'local', b: 'quick' },
    );
    expect(snapshots.edges.map((e: any) => e.node)).toEqual([
      {
        id: done.snapshotIds[0],
        shortId: done.snapshotIds[0].slice(0, 8),
        hostname: 'e2e-host',
        paths: [join(dir.path, 'quick')],
        tags: ['backup=quick'],
        backup: 'quick',
      },
    ]);
    // The exclude reached restic.
    const listing = resticDirect(repository, PASSWORD, ['ls', done.snapshotIds[0]]);
    expect(listing).toContain('file-0.bin');
    expect(listing).not.toContain('skip.tmp');

    const { job } = await client.data(
      `query($id: ID!) { job(id: $id) { state logs { edges { node { seq level path message } } } } }`,
      { id: runBackup.id },
    );
    const lines = job.logs.edges.map((e: any) => e.node);
    expect(lines.length).toBeGreaterThan(2);
    expect(
      lines.every((l: any) => l.path.startsWith(`api > backup#${jobNumber(runBackup.id)}`)),
    ).toBe(true);
    expect(
      lines.some((l: any) => l.message.includes(`snapshot ${done.snapshotIds[0]} saved`)),
    ).toBe(true);
    // The same lines went to stdout as JSON carrying the job id.
    const stdoutLines = daemon.stdout.flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
    expect(
      stdoutLines.some(
        (l) => l.jobId === jobNumber(runBackup.id) && /snapshot .* saved/.test(l.msg),
      ),
    ).toBe(true);
  });

  it('streams a job log with jobLogs and aborts a running backup with cancelJob, leaving no lock', async () => {
    const { runBackup } = await client.data(
      `mutation { runBackup(name: "slow", priority: "superior") { id priority } }`,
    );
    expect(runBackup.priority).toBe('superior');
    const logs = await client.subscribe(
      `subscription($id: ID!) { jobLogs(jobId: $id) { jobId seq message path } }`,
      { id: runBackup.id },
    );
    await waitForProgress(client, runBackup.id);
    const { cancelJob } = await client.data(`mutation($id: ID!) { cancelJob(id: $id) { id } }`, {
      id: runBackup.id,
    });
    expect(cancelJob.id).toBe(runBackup.id);
    await logs.until((lines) => lines.some((l: any) => /ended canceled/.test(l.jobLogs.message)));
    logs.close();
    expect(logs.events.every((l: any) => l.jobLogs.jobId === runBackup.id)).toBe(true);

    const { job } = await client.data(
      `query($id: ID!) { job(id: $id) { state error { code } snapshotIds steps { state } } }`,
      { id: runBackup.id },
    );
    expect(job).toEqual({
      state: 'CANCELED',
      error: { code: 'CANCELED' },
      snapshotIds: [],
      steps: [{ state: 'CANCELED' }],
    });
    expect(resticDirect(repository, PASSWORD, ['list', 'locks', '--no-lock']).trim()).toBe('');

    const again = await client
      .data(`mutation($id: ID!) { cancelJob(id: $id) { id } }`, { id: runBackup.id })
      .catch((e: Error) => e.message);
    expect(again).toContain('CONFLICT');
  });

  it('answers bad requests with error codes and keeps serving', async () => {
    const cases: [string, string][] = [
      [`{ backup(name: "nope") { name } }`, 'NOT_FOUND'],
      [`{ job(id: "999999") { id } }`, 'NOT_FOUND'],
      [`{ job(id: "abc") { id } }`, 'BAD_USER_INPUT'],
      [`mutation { runBackup(name: "nope") { id } }`, 'NOT_FOUND'],
      [`mutation { runBackup(name: "quick", priority: "urgent") { id } }`, 'BAD_USER_INPUT'],
      [`{ jobs(first: 0) { edges { cursor } } }`, 'BAD_USER_INPUT'],
      [`{ jobs(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }`, 'BAD_USER_INPUT'],
      [`{ snapshots(repository: "nope") { edges { cursor } } }`, 'NOT_FOUND'],
      [`{ nosuchfield }`, 'GRAPHQL_VALIDATION_FAILED'],
    ];
    for (const [query, code] of cases) {
      const result = await client.request(query);
      expect({ query, code: result.errors?.[0]?.extensions?.code }).toEqual({ query, code });
      expect(JSON.stringify(result)).not.toMatch(/at .*\.ts:\d+/);
    }
    const { status } = await client.data(`{ status { hostname } }`);
    expect(status.hostname).toBe('e2e-host');
  });

  it('pages through jobs with cursors', async () => {
    const first = await client.data(
      `{ jobs(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(first.jobs.edges).toHaveLength(1);
    expect(first.jobs.pageInfo.hasNextPage).toBe(true);
    const next = await client.data(
      `query($a: String) { jobs(first: 100, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`,
      { a: first.jobs.pageInfo.endCursor },
    );
    const ids = next.jobs.edges.map((e: any) => jobNumber(e.node.id));
    expect(ids.every((id: number) => id < jobNumber(first.jobs.edges[0].node.id))).toBe(true);
    expect(next.jobs.pageInfo.hasNextPage).toBe(false);
  });

  it('serves the GraphQL landing page to a browser and the same schema as schema.gql', async () => {
    const page = await fetch(client.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);

    const { buildClientSchema, getIntrospectionQuery } = await import('graphql');
    const { schemaText } = await import('../../src/api/schema-text');
    const introspection = await client.data(getIntrospectionQuery({ specifiedByUrl: true }));
    const committed = readFileSync(join(__dirname, '..', '..', 'schema.gql'), 'utf8');
    expect(schemaText(buildClientSchema(introspection))).toBe(committed);
  });

  it('marks a backup interrupted when the daemon is killed, unlocks, and backs up again after restart', async () => {
    const { runBackup } = await client.data(`mutation { runBackup(name: "slow") { id } }`);
    await waitForProgress(client, runBackup.id);
    const resticPids = resticPidsOn(repository);
    expect(resticPids.length).toBeGreaterThan(0);
    await client.close();
    daemon.kill('SIGKILL');
    await daemon.exited;
    // restic must not outlive the daemon and go on writing behind its back; waiting until it
    // has been reaped too keeps its pid from looking alive to restic's stale-lock check.
    await waitFor(
      () => resticPids.every((pid) => !existsSync(`/proc/${pid}`)),
      'condition',
      15_000,
    );

    daemon = await Daemon.start(configPath, {}, 'dist');
    client = new GraphQLTestClient(port);
    const { job } = await client.data(
      `query($id: ID!) { job(id: $id) { state error { code } steps { state } } }`,
      { id: runBackup.id },
    );
    expect(job).toEqual({
      state: 'INTERRUPTED',
      error: { code: 'INTERRUPTED' },
      steps: [{ state: 'INTERRUPTED' }],
    });
    await waitForJobs(client, 'UNLOCK', 1);
    // the startup init check runs after the unlock and holds its own short lock
    await waitForJobs(client, 'INIT', 2);
    const { jobs } = await client.data(
      `{ jobs(filter: { operations: [UNLOCK] }) { edges { node { repository: repositoryName trigger state } } } }`,
    );
    expect(jobs.edges.map((e: any) => e.node)).toEqual([
      { repository: 'local', trigger: 'STARTUP', state: 'SUCCEEDED' },
    ]);
    expect(resticDirect(repository, PASSWORD, ['list', 'locks', '--no-lock']).trim()).toBe('');

    const { runBackup: after } = await client.data(`mutation { runBackup(name: "quick") { id } }`);
    expect((await waitForEnd(client, after.id)).state).toBe('SUCCEEDED');
    expect(resticDirect(repository, PASSWORD, ['check'])).toContain('no errors were found');
  });

  it('stops on SIGTERM during a backup: restic gets SIGINT, the job is interrupted, no lock is left', async () => {
    const { runBackup } = await client.data(`mutation { runBackup(name: "slow") { id } }`);
    await waitForProgress(client, runBackup.id);
    await client.close();
    const exit = await daemon.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(resticPidsOn(repository)).toEqual([]);
    expect(resticDirect(repository, PASSWORD, ['list', 'locks', '--no-lock']).trim()).toBe('');

    daemon = await Daemon.start(configPath, {}, 'dist');
    client = new GraphQLTestClient(port);
    const { job } = await client.data(`query($id: ID!) { job(id: $id) { state error { code } } }`, {
      id: runBackup.id,
    });
    expect(job).toEqual({ state: 'INTERRUPTED', error: { code: 'INTERRUPTED' } });
  });
});
