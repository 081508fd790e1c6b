import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type StartedDaemon, startDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { getJob, jobNumber, listJobs, waitForEnd } from './support/wait';
import { waitFor } from '../support/wait-for';

const ADMIN = 'reload-admin-token-0123456789';
const VIEWER = 'reload-viewer-token-0123456789';
const PASSWORD = 'reload-repository-password';

const RELOAD = `mutation { reloadConfig { reloaded source issues { path message }
  backups { added removed changed } repositories { added removed changed } } }`;
const RUN = `mutation($name: String!) { runBackup(name: $name) { id state } }`;

/**
 * Reload, driven as an operator would: a valid file replaces backups, repositories and tokens
 * while a backup runs and others wait; then a broken file is refused, over the mutation and over
 * SIGHUP, and the configuration in force stays.
 */
describe('configuration reload (e2e)', () => {
  const dir = tempDir('hen-e2e-reload-');
  const data = (name: string) => join(dir.path, 'data', name);
  const repo = (name: string) => join(dir.path, `repo-${name}`);
  let started: StartedDaemon;
  let admin: GraphQLTestClient;

  const tokens = (withViewer: boolean) => [
    { name: 'admin', role: 'admin', token: ADMIN },
    ...(withViewer ? [{ name: 'dashboard', role: 'viewer', token: VIEWER }] : []),
  ];
  const repository = (name: string) => ({ location: repo(name), password: PASSWORD });
  const backup = (name: string, repositories: string[], extra: object = {}) => ({
    paths: [data(name)],
    repositories,
    ...extra,
  });
  // The slow backup's bytes go through a 1M upload limit: it runs for several seconds.
  const first = {
    api: { tokens: tokens(true) },
    jobs: { concurrency: 1 },
    repositories: { main: { ...repository('main'), limits: { upload: '1M' } } },
    backups: {
      slow: backup('slow', ['main']),
      docs: backup('docs', ['main']),
      gone: backup('gone', ['main']),
    },
  };
  const second = {
    ...first,
    api: { tokens: tokens(false) },
    log: { level: 'warn' },
    repositories: { ...first.repositories, second: repository('second') },
    backups: {
      slow: backup('slow', ['main']),
      docs: backup('docs', ['main'], { excludes: ['*.tmp'] }),
      fresh: backup('fresh', ['second']),
    },
  };
  const writeConfig = (config: { api: object; [key: string]: unknown }) =>
    writeFileSync(
      started.configPath,
      stringify({
        dataDir: join(dir.path, 'state'),
        ...config,
        api: { ...config.api, host: '127.0.0.1', port: started.port },
      }),
    );

  beforeAll(async () => {
    writeRandomFiles(data('slow'), 1, 8 * 1024 * 1024);
    for (const name of ['docs', 'gone', 'fresh']) writeRandomFiles(data(name), 3, 1024);
    mkdirSync(join(dir.path, 'state'), { recursive: true });
    started = await startDaemon(dir.path, first);
    admin = new GraphQLTestClient(started.port, ADMIN);
    await waitFor(
      async () => (await listJobs(admin, ['INIT'])).every((j) => j.state === 'SUCCEEDED'),
      'init of main',
    );
  });
  afterAll(async () => {
    await admin?.close();
    await started?.stop();
    dir.cleanup();
  });

  it('applies a valid file while a backup runs: running and waiting jobs stay, removed ones are canceled, tokens are revoked', async () => {
    const viewer = new GraphQLTestClient(started.port, VIEWER);
    try {
      const updates = await viewer.subscribe(`subscription { jobUpdated { id state } }`);
      const { runBackup: slow } = await admin.data(RUN, { name: 'slow' });
      await waitFor(async () => (await getJob(admin, slow.id)).state === 'RUNNING');
      const { runBackup: docs } = await admin.data(RUN, { name: 'docs' });
      const { runBackup: gone } = await admin.data(RUN, { name: 'gone' });
      expect([docs.state, gone.state]).toEqual(['QUEUED', 'QUEUED']);
      await updates.until((events) => events.length >= 3);

      writeConfig(second);
      const { reloadConfig } = await admin.data(RELOAD);
      expect(reloadConfig).toEqual({
        reloaded: true,
        source: started.configPath,
        issues: [],
        backups: { added: ['fresh'], removed: ['gone'], changed: ['docs'] },
        repositories: { added: ['second'], removed: [], changed: [] },
      });

      // The waiting job of the removed backup is canceled, saying why; it stays in the history.
      const canceled = await getJob(admin, gone.id);
      expect(canceled).toMatchObject({
        state: 'CANCELED',
        backup: 'gone',
        error: { code: 'CANCELED', message: 'backup "gone" is no longer in the configuration' },
      });
      const history = await admin.data(
        `{ jobs(first: 10, filter: { backup: "gone" }) { edges { node { id state } } } }`,
      );
      expect(history.jobs.edges.map((e: any) => e.node.id)).toEqual([gone.id]);
      const lookup = await admin.request(`{ backup(name: "gone") { name } }`);
      expect(lookup.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

      // The running backup was not touched, and the waiting one runs after it.
      expect((await getJob(admin, slow.id)).state).toBe('RUNNING');
      expect((await waitForEnd(admin, slow.id)).state).toBe('SUCCEEDED');
      expect((await waitForEnd(admin, docs.id)).state).toBe('SUCCEEDED');

      // The viewer token is gone: HTTP refuses it, and its open subscription ends at the next event.
      const refused = await viewer.request(`{ status { hostname } }`);
      expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await waitFor(() => updates.completed, 'end of the revoked subscription', 30_000);
      expect(JSON.stringify(updates.errors)).toContain('UNAUTHENTICATED');
      const seenBeforeRevocation = updates.events.length;

      // The new repository was initialised by the reload, and the new backup reaches it.
      const inits = await listJobs(admin, ['INIT']);
      const reloadInit = inits.find((j) => j.repository === 'second');
      expect(reloadInit?.trigger).toBe('RELOAD');
      expect((await waitForEnd(admin, reloadInit.id)).state).toBe('SUCCEEDED');
      const { runBackup: fresh } = await admin.data(RUN, { name: 'fresh' });
      expect((await waitForEnd(admin, fresh.id)).state).toBe('SUCCEEDED');
      // log.level warn took effect without a restart: the new job's info lines stay out of stdout
      const linesOf = (id: string) =>
        started.daemon.stdout.filter((line) => line.includes(`"jobId":${jobNumber(id)},`));
      expect(linesOf(docs.id).some((line) => line.includes('"level":"info"'))).toBe(true);
      expect(linesOf(fresh.id)).toEqual([]);
      const snapshots = JSON.parse(
        resticDirect(repo('second'), PASSWORD, ['snapshots', '--json']),
      ) as { paths: string[] }[];
      expect(snapshots.map((s) => s.paths)).toEqual([[data('fresh')]]);
      expect(updates.events.length).toBe(seenBeforeRevocation);
    } finally {
      await viewer.close();
    }
  }, 120_000);

  it('refuses a broken file over the mutation and over SIGHUP, keeping the configuration in force', async () => {
    const { runBackup: slow } = await admin.data(RUN, { name: 'slow' });
    writeConfig({
      ...second,
      backups: { ...second.backups, fresh: backup('fresh', ['nowhere'], { schedules: ['often'] }) },
    });
    const { reloadConfig } = await admin.data(RELOAD);
    expect(reloadConfig.reloaded).toBe(false);
    expect(reloadConfig.issues.map((i: any) => i.path)).toEqual([
      'backups.fresh.repositories[0]',
      'backups.fresh.schedules[0]',
    ]);
    expect(reloadConfig.backups).toEqual({ added: [], removed: [], changed: [] });

    started.daemon.kill('SIGHUP');
    await started.daemon.waitForLog(/configuration not reloaded \(SIGHUP\)/);

    const { backups } = await admin.data(`{ backups { name } }`);
    expect(backups.map((b: any) => b.name).sort()).toEqual(['docs', 'fresh', 'slow']);
    expect((await waitForEnd(admin, slow.id)).state).toBe('SUCCEEDED');
    expect(started.daemon.stdout.join('\n')).not.toContain(PASSWORD);
    expect(started.daemon.stdout.join('\n')).not.toContain(VIEWER);

    // A fixed file over SIGHUP takes effect.
    writeConfig(first);
    started.daemon.kill('SIGHUP');
    await started.daemon.waitForLog(/configuration reloaded from .* \(SIGHUP\)/);
    const after = await admin.data(`{ backups { name } }`);
    expect(after.backups.map((b: any) => b.name).sort()).toEqual(['docs', 'gone', 'slow']);
  }, 120_000);
});
