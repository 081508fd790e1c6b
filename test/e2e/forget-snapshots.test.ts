import { join } from 'node:path';
import { Daemon, startDaemon, type StartedDaemon } from './support/daemon';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd, waitForJobs } from './support/wait';

const PASSWORD = 'forget-password-4471';
const FORGET = `mutation($r: String!, $ids: [String!]!, $b: String) {
  forgetSnapshots(repository: $r, ids: $ids, backup: $b) { id }
}`;

/** forgetSnapshots: only the chosen snapshots go, and bad requests remove nothing. */
describe('forgetting chosen snapshots', () => {
  const dir = tempDir('e2e-forget');
  const repository = join(dir.path, 'repository');
  let started: StartedDaemon;
  let daemon: Daemon;
  let client: GraphQLTestClient;
  const ids: Record<string, string[]> = { a: [], b: [] };

  const inRepository = () =>
    (JSON.parse(resticDirect(repository, PASSWORD, ['snapshots', '--json'])) as { id: string }[])
      .map((s) => s.id)
      .sort();
  const backUp = async (name: string) => {
    const { runBackup } = await client.data(
      'mutation($n: String!) { runBackup(name: $n) { id } }',
      { n: name },
    );
    const job = await waitForEnd(client, runBackup.id, 60_000, 'snapshotIds');
    expect(job.state).toBe('SUCCEEDED');
    ids[name].push(job.snapshotIds[0]);
  };
  const refusal = async (variables: Record<string, unknown>) => {
    const result = await client.request(FORGET, { r: 'local', ...variables });
    expect(result.data?.forgetSnapshots ?? null).toBeNull();
    return { code: result.errors?.[0]?.extensions?.code, message: result.errors?.[0]?.message };
  };

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'a'), 2, 2048);
    writeRandomFiles(join(dir.path, 'b'), 2, 2048);
    started = await startDaemon(dir.path, {
      repositories: { local: { location: repository, password: PASSWORD } },
      backups: {
        a: { paths: [join(dir.path, 'a')], repositories: ['local'] },
        b: { paths: [join(dir.path, 'b')], repositories: ['local'] },
      },
    });
    ({ daemon, client } = started);
    await waitForJobs(client, 'INIT', 1);
    await backUp('a');
    writeRandomFiles(join(dir.path, 'a'), 1, 2048);
    await backUp('a');
    await backUp('b');
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await daemon?.stop();
    dir.cleanup();
  });

  it('refuses bad requests with a clear code, removing nothing', async () => {
    const all = [...ids.a, ...ids.b].sort();
    expect(inRepository()).toEqual(all);
    expect(await refusal({ ids: [] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('at least one'),
    });
    expect(await refusal({ ids: ['deadbeef'] })).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no snapshot deadbeef'),
    });
    expect(await refusal({ ids: [ids.a[0], ids.b[0]], b: 'a' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('is not of backup "a" (it is of "b")'),
    });
    expect(inRepository()).toEqual(all);
  });

  it('forgets only the chosen snapshots, then prunes, naming them in the job log', async () => {
    const { forgetSnapshots } = await client.data(FORGET, {
      r: 'local',
      ids: [ids.a[0].slice(0, 8)],
      b: 'a',
    });
    const job = await waitForEnd(client, forgetSnapshots.id);
    expect(job).toMatchObject({ operation: 'FORGET', state: 'SUCCEEDED' });
    const { job: logged } = await client.data(
      'query($id: ID!) { job(id: $id) { logs(first: 200) { nodes { message } } } }',
      { id: forgetSnapshots.id },
    );
    expect(logged.logs.nodes.map((n: any) => n.message).join('\n')).toContain(
      `forgetting 1 snapshots: ${ids.a[0]}`,
    );
    expect(inRepository()).toEqual([ids.a[1], ids.b[0]].sort());
    expect(resticDirect(repository, PASSWORD, ['check'])).toContain('no errors were found');
  });

  it('is refused by a read-only daemon', async () => {
    await client.close();
    await daemon.stop();
    daemon = await Daemon.start(started.configPath, {}, 'sources', ['--read-only']);
    client = new GraphQLTestClient(started.port);
    expect(await refusal({ ids: [ids.b[0]] })).toMatchObject({ code: 'FORBIDDEN' });
    expect(inRepository()).toEqual([ids.a[1], ids.b[0]].sort());
  });
});
