import { ApolloClient, gql, HttpLink, InMemoryCache, split } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { getMainDefinition } from '@apollo/client/utilities';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type StartedDaemon, startDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { waitForEnd, waitForJobs } from './support/wait';

/**
 * The schema as the client libraries people use see it: Apollo Client's normalised cache without
 * type policies, urql paging, node(id) for every kind of object, and nullable lookups.
 */
describe('the API with real client libraries', () => {
  const dir = tempDir('e2e-clients');
  const data = join(dir.path, 'data');
  let started: StartedDaemon;
  let jobId: string;
  let snapshotId: string;

  beforeAll(async () => {
    mkdirSync(join(data, 'docs'), { recursive: true });
    writeRandomFiles(join(data, 'docs'), 5, 2000);
    writeFileSync(join(data, 'readme.txt'), 'hello\n');
    started = await startDaemon(dir.path, {
      hostname: 'clients-host',
      repositories: {
        local: { location: join(dir.path, 'repo'), password: 'pw' },
        empty: { location: join(dir.path, 'empty-repo'), password: 'pw' },
      },
      backups: { sample: { paths: [data], repositories: ['local'] } },
    });
    await waitForJobs(started.client, ['INIT'], 2);
    const { runBackup } = await started.client.data(
      'mutation { runBackup(name: "sample") { id } }',
    );
    jobId = runBackup.id;
    snapshotId = (await waitForEnd(started.client, jobId, 60_000, 'snapshotIds')).snapshotIds[0];
  }, 120_000);

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('keeps both of two queries over the same objects in Apollo Client’s cache, and a subscription’s updates', async () => {
    const ws = createClient({
      url: started.client.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
    });
    const link = split(
      ({ query }) => {
        const definition = getMainDefinition(query);
        return 'operation' in definition && String(definition.operation) === 'subscription';
      },
      new GraphQLWsLink(ws),
      new HttpLink({ uri: started.client.url }),
    );
    const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
    const first = gql`
      query First {
        status {
          id
          version
          backups {
            id
            name
            overdue
            lastJob {
              id
              state
            }
          }
        }
        backups {
          id
          name
          paths
        }
      }
    `;
    const second = gql`
      query Second {
        status {
          id
          hostname
          backups {
            id
            name
            nextRunAt
            backup {
              id
              name
              repositories {
                id
                name
                backend
              }
            }
          }
        }
        backups {
          id
          name
          repositoryNames
          lastJob {
            id
            number
            snapshotIds
          }
        }
      }
    `;
    const one = await apollo.query<any>({ query: first });
    const two = await apollo.query<any>({ query: second });
    expect(one.data?.status.backups[0]).toMatchObject({ name: 'sample', lastJob: { id: jobId } });
    expect(two.data?.status.backups[0].backup.repositories).toEqual([
      { __typename: 'Repository', id: 'Repository:local', name: 'local', backend: 'LOCAL' },
    ]);
    // read back from the cache alone: neither query lost its fields to the other
    expect(apollo.readQuery({ query: first })).toEqual(one.data);
    expect(apollo.readQuery({ query: second })).toEqual(two.data);

    // a subscription's events land on the same normalised Job
    const events: { id: string; state: string }[] = [];
    const next = await apollo.mutate<{ runBackup: { id: string } }>({
      mutation: gql`
        mutation {
          runBackup(name: "sample") {
            id
            state
          }
        }
      `,
    });
    const id = next.data!.runBackup.id;
    const subscription = apollo
      .subscribe<{ jobUpdated: { id: string; state: string } }>({
        query: gql`
          subscription ($id: ID!) {
            jobUpdated(filter: { id: $id }) {
              id
              state
            }
          }
        `,
        variables: { id },
      })
      .subscribe({ next: (result) => result.data && events.push(result.data.jobUpdated) });
    await waitForEnd(started.client, id, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    subscription.unsubscribe();
    await ws.dispose();
    expect(events.length).toBeGreaterThan(0);
    expect(
      apollo.cache.readFragment({
        id: apollo.cache.identify({ __typename: 'Job', id }),
        fragment: gql`
          fragment J on Job {
            id
            state
          }
        `,
      }),
    ).toEqual({ __typename: 'Job', id, state: events.at(-1)!.state });
    expect(apollo.readQuery({ query: first })).not.toBeNull();
  });

  it('pages jobs forwards and a job log backwards with urql, matching the whole lists', async () => {
    const urql = new UrqlClient({
      url: started.client.url,
      exchanges: [fetchExchange],
      // urql asks with GET by default, which Apollo Server's CSRF prevention answers only with a
      // preflight header; POST is what dashboards use
      preferGetMethod: false,
    });
    const jobsPage = `query($after: String) { jobs(first: 2, after: $after) {
      totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
    const all = (await urql.query('{ jobs { totalCount nodes { id } } }', {}).toPromise()).data
      .jobs;
    expect(all.totalCount).toBe(all.nodes.length);
    const paged: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: any = await urql.query(jobsPage, { after }).toPromise();
      const page: any = result.data.jobs;
      expect(page.totalCount).toBe(all.totalCount);
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 0);
      paged.push(...page.nodes.map((n: { id: string }) => n.id));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(all.nodes.map((n: { id: string }) => n.id));

    const logPage = `query($id: ID!, $before: String) { job(id: $id) { logs(last: 3, before: $before) {
      totalCount nodes { seq message } pageInfo { hasPreviousPage startCursor } } } }`;
    const whole = (
      await urql
        .query('query($id: ID!) { job(id: $id) { logs { nodes { seq message } } } }', { id: jobId })
        .toPromise()
    ).data.job.logs.nodes;
    expect(whole.length).toBeGreaterThan(3);
    const tail: unknown[] = [];
    let before: string | null = null;
    for (;;) {
      const logs: any = (await urql.query(logPage, { id: jobId, before }).toPromise()).data.job
        .logs;
      expect(logs.totalCount).toBe(whole.length);
      tail.unshift(...logs.nodes);
      if (!logs.pageInfo.hasPreviousPage) break;
      before = logs.pageInfo.startCursor;
    }
    expect(tail).toEqual(whole);
  });

  it('fetches every kind of object through node(id), equal to the direct query', async () => {
    const { client } = started;
    const direct = await client.data(
      `query($job: ID!, $snap: String!, $path: String!) {
        status { id version hostname }
        statusBackups: status { backups { id name overdue } }
        backup(name: "sample") { id name paths }
        repository(name: "local") { id name backend }
        job(id: $job) { id number state steps { id name state } logs(first: 1) { nodes { id seq message } } }
        snapshot(repository: "local", snapshot: $snap) { id snapshotId hostname files(path: $path) { nodes { id path size } } }
      }`,
      { job: jobId, snap: snapshotId, path: data },
    );
    const objects: [string, Record<string, unknown>][] = [
      ['Status', direct.status],
      ['BackupStatus', direct.statusBackups.backups[0]],
      ['Backup', direct.backup],
      ['Repository', direct.repository],
      ['JobStep', direct.job.steps[0]],
      ['JobLogEntry', direct.job.logs.nodes[0]],
      [
        'Snapshot',
        {
          id: direct.snapshot.id,
          snapshotId: direct.snapshot.snapshotId,
          hostname: direct.snapshot.hostname,
        },
      ],
      ['SnapshotEntry', direct.snapshot.files.nodes[0]],
      ['Job', { id: direct.job.id, number: direct.job.number, state: direct.job.state }],
    ];
    for (const [type, object] of objects) {
      const fields = Object.keys(object).join(' ');
      const { node } = await client.data(
        `query($id: ID!) { node(id: $id) { __typename ... on ${type} { ${fields} } } }`,
        { id: object.id },
      );
      expect([type, node]).toEqual([type, { __typename: type, ...object }]);
    }
    expect(new Set(objects.map(([, o]) => o.id)).size).toBe(objects.length);

    const { nodes } = await client
      .request(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
        ids: [direct.backup.id, 'Job:999999', direct.repository.id],
      })
      .then((r) => ({ ...r.data, errors: r.errors }));
    expect(nodes).toEqual([{ id: 'Backup:sample' }, null, { id: 'Repository:local' }]);
  });

  it('answers null and NOT_FOUND for a missing item, keeping the rest of the answer', async () => {
    const result = await started.client.request(
      '{ status { version } backup(name: "nope") { name } job(id: "Job:999999") { id } node(id: "Backup:nope") { id } }',
    );
    expect(result.data).toEqual({
      status: { version: expect.any(String) },
      backup: null,
      job: null,
      node: null,
    });
    expect(result.errors?.map((e) => [e.path?.[0], e.extensions?.code])).toEqual([
      ['backup', 'NOT_FOUND'],
      ['job', 'NOT_FOUND'],
      ['node', 'NOT_FOUND'],
    ]);
  });

  it('refuses malformed ids, ids of another type, and unknown snapshots, queueing and writing nothing', async () => {
    const { client } = started;
    const code = async (query: string, variables: Record<string, unknown> = {}) =>
      (await client.request(query, variables)).errors?.[0]?.extensions?.code ?? 'OK';
    const count = async () => (await client.data('{ jobs { totalCount } }')).jobs.totalCount;
    const before = await count();
    expect(await code('{ node(id: "garbage") { id } }')).toBe('BAD_USER_INPUT');
    expect(await code('{ node(id: "Job:abc") { id } }')).toBe('NOT_FOUND');
    expect(await code('{ job(id: "Backup:sample") { id } }')).toBe('BAD_USER_INPUT');
    expect(await code('mutation { cancelJob(id: "Repository:local") { id } }')).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code('subscription { jobLogs(jobId: "Snapshot:x:y") { seq } }')).not.toBe('OK');
    const target = join(dir.path, 'restore-here');
    const restore = (snapshot: string, repository = 'local') =>
      code('mutation($i: RestoreSnapshotInput!) { restoreSnapshot(input: $i) { id } }', {
        i: { repository, snapshot, target },
      });
    expect(await restore('deadbeefdeadbeef')).toBe('NOT_FOUND');
    expect(await restore('latest', 'empty')).toBe('NOT_FOUND');
    expect(await restore('latest:other')).toBe('NOT_FOUND');
    expect(await restore(`Snapshot:empty:${snapshotId}`)).toBe('BAD_USER_INPUT');
    expect(await restore('Job:1')).toBe('BAD_USER_INPUT');
    expect(
      await code(
        'mutation($s: String!) { createDownload(repository: "local", snapshot: $s, path: "/", format: TAR) { url } }',
        { s: 'latest:other' },
      ),
    ).toBe('NOT_FOUND');
    expect(
      await code(
        '{ diffSnapshots(repository: "local", from: "latest", to: "deadbeef") { truncated } }',
      ),
    ).toBe('NOT_FOUND');
    expect(await count()).toBe(before);
    expect(existsSync(target)).toBe(false);
    // `latest` and prefixes work where ids do
    const { snapshot } = await client.data(
      `{ snapshot(repository: "local", snapshot: "latest:sample") { snapshotId backup { name } } }`,
    );
    expect(snapshot.backup.name).toBe('sample');
  });

  it('still answers for old jobs of a definition removed from the configuration, marked so', async () => {
    const { client, configPath } = started;
    const { readFileSync } = await import('node:fs');
    const { parse, stringify } = await import('yaml');
    const config = parse(readFileSync(configPath, 'utf8'));
    config.backups = { other: { paths: [data], repositories: ['local'] } };
    writeFileSync(configPath, stringify(config));
    const { reloadConfig } = await client.data('mutation { reloadConfig { reloaded } }');
    expect(reloadConfig.reloaded).toBe(true);
    const { job, snapshot } = await client.data(
      `query($id: ID!, $s: String!) {
        job(id: $id) { backupName backup { id name configured paths } }
        snapshot(repository: "local", snapshot: $s) { backup { name configured } }
      }`,
      { id: jobId, s: snapshotId },
    );
    expect(job).toEqual({
      backupName: 'sample',
      backup: { id: 'Backup:sample', name: 'sample', configured: false, paths: [] },
    });
    expect(snapshot.backup).toEqual({ name: 'sample', configured: false });
  });
});
