import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RestServer } from '../support/servers/rest-server';
import { freePort } from '../support/servers/server-process';
import { Daemon, startDaemon, type StartedDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { listJobs, waitForEnd, waitForJobs } from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'recovery-password-8830';
const STATE = `state stateSince nextTryAt resticId lastError { code message at }`;

const jsonLines = (daemon: Daemon): Record<string, any>[] =>
  daemon.stdout.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, any>];
    } catch {
      return [];
    }
  });

async function repositoryState(client: GraphQLTestClient, name: string): Promise<any> {
  const { repository } = await client.data(
    `query($n: String!) { repository(name: $n) { ${STATE} } }`,
    { n: name },
  );
  return repository;
}

async function mutate(client: GraphQLTestClient, field: string, name: string): Promise<string> {
  const data = await client.data(`mutation($n: String!) { ${field}(name: $n) { id } }`, {
    n: name,
  });
  return data[field].id;
}

/** A repository that vanished is reported, never silently created again. */
describe('a repository that vanished', () => {
  const dir = tempDir('e2e-vanished');
  const repository = join(dir.path, 'disk', 'repository');
  let started: StartedDaemon;
  let daemon: Daemon;
  let client: GraphQLTestClient;

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'files'), 3, 4096);
    started = await startDaemon(dir.path, {
      repositories: { disk: { location: repository, password: PASSWORD } },
      backups: {
        files: { paths: [join(dir.path, 'files')], repositories: ['disk'], tags: ['docs', 'd2'] },
      },
    });
    ({ daemon, client } = started);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await daemon?.stop();
    dir.cleanup();
  });

  it('is created once, then reported missing after it is deleted and the daemon restarts', async () => {
    const [init] = await waitForJobs(client, 'INIT', 1);
    expect(init.state).toBe('SUCCEEDED');
    const ready = await repositoryState(client, 'disk');
    expect(ready).toMatchObject({ state: 'READY', lastError: null });
    expect(ready.resticId).toMatch(/^[0-9a-f]{64}$/);
    expect((await waitForEnd(client, await mutate(client, 'runBackup', 'files'))).state).toBe(
      'SUCCEEDED',
    );

    await client.close();
    await daemon.stop();
    rmSync(repository, { recursive: true, force: true });
    daemon = await Daemon.start(started.configPath);
    client = new GraphQLTestClient(started.port);

    const [failedInit] = await waitForJobs(client, 'INIT', 2);
    expect(failedInit).toMatchObject({ state: 'FAILED', error: { code: 'REPOSITORY_MISSING' } });
    expect(failedInit.error.message).toContain('is gone from');
    expect(failedInit.error.message).toContain(ready.resticId.slice(0, 8));
    expect(existsSync(repository)).toBe(false);

    const backup = await waitForEnd(client, await mutate(client, 'runBackup', 'files'));
    expect(backup).toMatchObject({ state: 'FAILED', error: { code: 'REPOSITORY_MISSING' } });
    expect(existsSync(repository)).toBe(false);

    const missing = await repositoryState(client, 'disk');
    expect(missing).toMatchObject({ state: 'MISSING', lastError: { code: 'REPOSITORY_MISSING' } });
    expect(
      jsonLines(daemon).some(
        (l) => l.level === 'error' && /repository "disk" is missing: .*is gone from/.test(l.msg),
      ),
    ).toBe(true);

    // an operator's initRepository does not create it either; an admin's recreate does
    const init2 = await waitForEnd(client, await mutate(client, 'initRepository', 'disk'));
    expect(init2.error.code).toBe('REPOSITORY_MISSING');
    expect(existsSync(repository)).toBe(false);
    const recreate = await waitForEnd(client, await mutate(client, 'recreateRepository', 'disk'));
    expect(recreate.state).toBe('SUCCEEDED');
    const again = await repositoryState(client, 'disk');
    expect(again.state).toBe('READY');
    expect(again.resticId).not.toBe(ready.resticId);
    expect((await waitForEnd(client, await mutate(client, 'runBackup', 'files'))).state).toBe(
      'SUCCEEDED',
    );
    // the definition's own tags beside the daemon's
    const [snapshot] = JSON.parse(resticDirect(repository, PASSWORD, ['snapshots', '--json'])) as {
      tags: string[];
    }[];
    expect(snapshot.tags.sort()).toEqual(['backup=files', 'd2', 'docs']);

    // a snapshot of a definition the configuration no longer holds is marked orphaned
    resticDirect(repository, PASSWORD, [
      'backup',
      '--host',
      'elsewhere',
      '--tag',
      'backup=retired',
      join(dir.path, 'files'),
    ]);
    const { snapshots } = await client.data(
      '{ snapshots(repository: "disk", first: 10) { nodes { backupName orphaned } } }',
    );
    expect(snapshots.nodes.map((n: any) => `${n.backupName}:${n.orphaned}`).sort()).toEqual([
      'files:false',
      'retired:true',
    ]);
  }, 120_000);
});

/** A REST backend (with a login) that comes up after the daemon: used without a restart. */
describe('a backend that comes up late', () => {
  const dir = tempDir('e2e-late-backend');
  const rest = new RestServer();
  let started: StartedDaemon;

  afterAll(async () => {
    await started?.stop();
    await rest.cleanup();
    dir.cleanup();
  });

  it('fails while down, is retried on its own, and takes backups once it is up', async () => {
    writeRandomFiles(join(dir.path, 'files'), 3, 4096);
    const port = await freePort();
    started = await startDaemon(dir.path, {
      jobs: { repositoryRetry: { min: '1s', max: '2s' } },
      repositories: {
        late: {
          location: `rest:http://127.0.0.1:${port}/late/`,
          password: PASSWORD,
          locationParams: { username: rest.username, password: rest.password },
        },
      },
      backups: { files: { paths: [join(dir.path, 'files')], repositories: ['late'] } },
    });
    const { client, daemon } = started;
    const [init] = await waitForJobs(client, 'INIT', 1);
    expect(init).toMatchObject({ state: 'FAILED', error: { code: 'BACKEND_UNREACHABLE' } });
    const down = await repositoryState(client, 'late');
    expect(down).toMatchObject({
      state: 'UNREACHABLE',
      lastError: { code: 'BACKEND_UNREACHABLE' },
    });
    // the next automatic try comes within the configured backoff
    await waitFor(
      async () => (await listJobs(client, ['INIT'])).some((j) => j.trigger === 'RETRY'),
      'an automatic retry',
      30_000,
    );
    const whileDown = await waitForEnd(client, await mutate(client, 'runBackup', 'files'));
    expect(whileDown).toMatchObject({ state: 'FAILED', error: { code: 'BACKEND_UNREACHABLE' } });

    await rest.start(port);
    await waitFor(
      async () => (await repositoryState(client, 'late')).state === 'READY',
      'the repository ready',
    );
    const retried = await listJobs(client, ['INIT']);
    expect(retried).toContainEqual(
      expect.objectContaining({ trigger: 'RETRY', state: 'SUCCEEDED' }),
    );
    const backup = await waitForEnd(client, await mutate(client, 'runBackup', 'files'));
    expect(backup.state).toBe('SUCCEEDED');
    expect((await repositoryState(client, 'late')).nextTryAt).toBeNull();
    // the login reached restic inside its environment only
    expect(daemon.stdout.join('\n')).not.toContain(rest.password);
  }, 120_000);
});
