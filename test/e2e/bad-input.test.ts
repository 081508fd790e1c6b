import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import type { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd } from './support/wait';

const cursor = (text: string) => Buffer.from(text).toString('base64url');
const repeat = (times: number, f: (i: number) => string) =>
  Array.from({ length: times }, (_, i) => f(i)).join(' ');
/** `{ a { a { ... } } }`, `depth` levels deep. */
const nested = (depth: number) => '{ a '.repeat(depth) + '}'.repeat(depth);
/** `__type(name: "Job") { fields { type { ofType { ofType ... } } } }`, for depth. */
const deepIntrospection = (levels: number) =>
  `{ __type(name: "Job") { fields { type { ${'ofType { '.repeat(levels)} name ${'} '.repeat(levels)} } } } }`;
/** Each fragment spreads the next twice: 2^levels uses of the last one if expanded naively. */
const fragmentBomb = (levels: number) =>
  `query { ...F0 } ${repeat(levels, (i) => `fragment F${i} on Query { ...F${i + 1} a${i}: status { version } ...F${i + 1} }`)} fragment F${levels} on Query { status { version } }`;

type Body = { raw: string } | { query: unknown; variables?: unknown; operationName?: string };

interface Case {
  name: string;
  body: Body;
  /** `extensions.code` of the first error, or OK when the request must succeed */
  code: string;
  status?: number;
}

const q = (query: string, variables?: Record<string, unknown>): Body => ({ query, variables });

/** Every case is answered with a code, and the daemon goes on serving. */
const CASES: Case[] = [
  // Shape of the document: depth, size, cost.
  { name: 'the standard introspection query', body: q(getIntrospectionQuery()), code: 'OK' },
  {
    name: 'introspection nested 30 ofType deep',
    body: q(deepIntrospection(30)),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  { name: 'fields nested 100 deep', body: q(nested(100)), code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'fields nested 1000 deep', body: q(nested(1000)), code: 'GRAPHQL_VALIDATION_FAILED' },
  {
    name: 'fields nested 5000 deep (too deep to parse)',
    body: q(nested(5000)),
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'fields nested 100000 deep (too many tokens)',
    body: q(nested(100_000)),
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: '2000 aliases of status',
    body: q(`{ ${repeat(2000, (i) => `a${i}: status { version }`)} }`),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: '100 aliases of snapshots (each runs restic)',
    body: q(
      `{ ${repeat(100, (i) => `s${i}: snapshots(repository: "local") { edges { cursor } }`)} }`,
    ),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: '60 aliases of runBackup',
    body: q(`mutation { ${repeat(600, (i) => `r${i}: runBackup(name: "docs") { id }`)} }`),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: '500 jobs with 500 log lines each',
    body: q(
      '{ jobs(first: 500) { edges { node { id logs(first: 500) { edges { node { message } } } } } } }',
    ),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'log pages of the largest size through a variable',
    body: q(
      'query($n: Int) { jobs(first: $n) { edges { node { logs(first: $n) { edges { node { message path time } } } } } } }',
      { n: 10 },
    ),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  { name: 'a fragment bomb', body: q(fragmentBomb(40)), code: 'GRAPHQL_VALIDATION_FAILED' },
  // Pages.
  {
    name: 'first: 100000',
    body: q('{ jobs(first: 100000) { edges { cursor } } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first: -1',
    body: q('{ jobs(first: -1) { edges { cursor } } }'),
    code: 'BAD_USER_INPUT',
  },
  { name: 'first: 0', body: q('{ jobs(first: 0) { edges { cursor } } }'), code: 'BAD_USER_INPUT' },
  {
    name: 'logs(first: -5)',
    body: q('{ job(id: "1") { logs(first: -5) { edges { cursor } } } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first beyond 32 bits',
    body: q('{ jobs(first: 99999999999) { edges { cursor } } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'first as a string',
    body: q('{ jobs(first: "10") { edges { cursor } } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'first as a float',
    body: q('{ jobs(first: 1.5) { edges { cursor } } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'first as a string variable',
    body: q('query($n: Int) { jobs(first: $n) { edges { cursor } } }', { n: '10' }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'snapshots(first: 100000)',
    body: q('{ snapshots(repository: "local", first: 100000) { edges { cursor } } }'),
    code: 'BAD_USER_INPUT',
  },
  // Cursors.
  {
    name: 'a garbage cursor',
    body: q('{ jobs(after: "!!!garbage###") { edges { cursor } } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: "a snapshot list's cursor on jobs",
    body: q(`{ jobs(after: "${cursor('snapshot:abc')}") { edges { cursor } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a log cursor on jobs',
    body: q(`{ jobs(after: "${cursor('log:5')}") { edges { cursor } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a forged job cursor (not a number)',
    body: q(`{ jobs(after: "${cursor('job:abc')}") { edges { cursor } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a forged job cursor (negative)',
    body: q(`{ jobs(after: "${cursor('job:-1')}") { edges { cursor } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a forged job cursor (exponent)',
    body: q(`{ jobs(after: "${cursor('job:1e3')}") { edges { cursor } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an overlong cursor',
    body: q(`{ jobs(after: "${'A'.repeat(5000)}") { edges { cursor } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a job cursor on logs',
    body: q(`{ job(id: "1") { logs(after: "${cursor('job:1')}") { edges { cursor } } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a forged log cursor',
    body: q(`{ job(id: "1") { logs(after: "${cursor('log:xyz')}") { edges { cursor } } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a cursor of a snapshot not in the list',
    body: q(
      `{ snapshots(repository: "local", after: "${cursor('snapshot:0123')}") { edges { cursor } } }`,
    ),
    code: 'BAD_USER_INPUT',
  },
  // Names.
  { name: 'backup: unknown name', body: q('{ backup(name: "nope") { name } }'), code: 'NOT_FOUND' },
  {
    name: 'repository: unknown name',
    body: q('{ repository(name: "nope") { name } }'),
    code: 'NOT_FOUND',
  },
  {
    name: 'snapshots: unknown repository',
    body: q('{ snapshots(repository: "nope") { edges { cursor } } }'),
    code: 'NOT_FOUND',
  },
  {
    name: 'runBackup: unknown name',
    body: q('mutation { runBackup(name: "nope") { id } }'),
    code: 'NOT_FOUND',
  },
  {
    name: 'pruneBackup: unknown name',
    body: q('mutation { pruneBackup(name: "nope") { id } }'),
    code: 'NOT_FOUND',
  },
  {
    name: 'checkRepository: unknown name',
    body: q('mutation { checkRepository(name: "nope") { id } }'),
    code: 'NOT_FOUND',
  },
  {
    name: 'unlockRepository: unknown name',
    body: q('mutation { unlockRepository(name: "nope") { id } }'),
    code: 'NOT_FOUND',
  },
  {
    name: 'a 200 KB name',
    body: q(`{ backup(name: "${'x'.repeat(200_000)}") { name } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a 129-character name',
    body: q(`mutation { runBackup(name: "${'x'.repeat(129)}") { id } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a 5000-character name in a variable',
    body: q('query($n: String!) { repository(name: $n) { name } }', { n: 'r'.repeat(5000) }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a name with a NUL character',
    body: q('query($n: String!) { backup(name: $n) { name } }', { n: 'do\u0000cs' }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an overlong filter',
    body: q(`{ jobs(filter: { backup: "${'b'.repeat(2000)}" }) { edges { cursor } } }`),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a 1 MB name (body too large)',
    body: q(`{ backup(name: "${'x'.repeat(1024 * 1024)}") { name } }`),
    code: 'PAYLOAD_TOO_LARGE',
    status: 413,
  },
  // Wrong types.
  {
    name: 'an object for a String',
    body: q('{ backup(name: { a: 1 }) { name } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an Int for a String',
    body: q('{ backup(name: 5) { name } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a missing required argument',
    body: q('{ backup { name } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an object variable for a String',
    body: q('query($n: String!) { backup(name: $n) { name } }', { n: { a: 1 } }),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a deeply nested variable for a String',
    body: {
      raw: `{"query": "query($n: String!) { backup(name: $n) { name } }", "variables": {"n": ${'['.repeat(50_000)}${']'.repeat(50_000)}}}`,
    },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an unknown enum value in a filter',
    body: q('{ jobs(filter: { states: [NOPE] }) { edges { cursor } } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an unknown field',
    body: q('{ status { version nope } }'),
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  // Priorities.
  {
    name: 'an unknown priority name',
    body: q('mutation { runBackup(name: "docs", priority: "urgent") { id } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a priority out of range',
    body: q('mutation { runBackup(name: "docs", priority: 99999999) { id } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a fractional priority',
    body: q('mutation { checkRepository(name: "local", priority: 1.5) { id } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a list as a priority variable',
    body: q('mutation($p: Priority) { pruneBackup(name: "docs", priority: $p) { id } }', {
      p: [1],
    }),
    code: 'BAD_USER_INPUT',
  },
  // Ids.
  {
    name: 'a job id that is not a number',
    body: q('{ job(id: "abc") { id } }'),
    code: 'BAD_USER_INPUT',
  },
  { name: 'a negative job id', body: q('{ job(id: "-1") { id } }'), code: 'BAD_USER_INPUT' },
  {
    name: 'a 20-digit job id',
    body: q(`{ job(id: "${'1'.repeat(20)}") { id } }`),
    code: 'BAD_USER_INPUT',
  },
  { name: 'an unknown job id', body: q('{ job(id: "99999999") { id } }'), code: 'NOT_FOUND' },
  {
    name: 'cancelJob with a bad id',
    body: q('mutation { cancelJob(id: "x y z") { id } }'),
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'cancelJob with an unknown id',
    body: q('mutation { cancelJob(id: "424242") { id } }'),
    code: 'NOT_FOUND',
  },
  {
    name: 'a job filter with a bad id',
    body: q('{ jobs(filter: { id: "abc" }) { edges { cursor } } }'),
    code: 'BAD_USER_INPUT',
  },
  // The request itself.
  {
    name: 'a body that is not JSON',
    body: { raw: '{"query": "{ status { version } }"' },
    code: 'BAD_REQUEST',
    status: 400,
  },
  { name: 'an empty query', body: { query: '' }, code: 'BAD_REQUEST', status: 400 },
  { name: 'no query at all', body: { raw: '{}' }, code: 'BAD_REQUEST', status: 400 },
  { name: 'a query that is a number', body: { query: 5 }, code: 'BAD_REQUEST', status: 400 },
  {
    name: 'variables that are a string',
    body: { query: '{ status { version } }', variables: 'x' },
    code: 'BAD_REQUEST',
    status: 400,
  },
  {
    name: 'a batch (not enabled)',
    body: { raw: '[{"query": "{ status { version } }"}]' },
    code: 'BAD_REQUEST',
    status: 400,
  },
  { name: 'a syntax error', body: q('{ status { version '), code: 'GRAPHQL_PARSE_FAILED' },
  {
    name: 'an unknown operation name',
    body: { query: 'query A { status { version } }', operationName: 'B' },
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
];

describe('bad input', () => {
  const dir = tempDir('e2e-bad-input');
  let started: StartedDaemon;
  let client: GraphQLTestClient;
  let mutationFields: Set<string>;

  const send = async (body: Body) => {
    const response = await fetch(client.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'raw' in body ? body.raw : JSON.stringify(body),
    });
    const text = await response.text();
    let json: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new Error(`answer ${response.status} is not JSON: ${text.slice(0, 300)}`);
    }
    return { status: response.status, json };
  };

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 2, 1024);
    started = await startDaemon(dir.path, {
      repositories: { local: { location: join(dir.path, 'repo'), password: 'bad-input-pw' } },
      backups: { docs: { paths: [join(dir.path, 'data')], repositories: ['local'] } },
    });
    client = started.client;
    // Job 1 initialises the repository: the cases on snapshots and on a job's logs need it.
    const init = await waitForEnd(client, '1');
    if (init.state !== 'SUCCEEDED') throw new Error(init.state);
    const { __schema } = await client.data<{
      __schema: {
        mutationType: { fields: { name: string }[] };
      };
    }>('{ __schema { mutationType { fields { name } } } }');
    mutationFields = new Set(__schema.mutationType.fields.map((f) => f.name));
  });

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('has a corpus of at least 40 requests', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$name → $code', async ({ body, code, status }) => {
    const started = Date.now();
    const answer = await send(body);
    const got = answer.json.errors?.[0]?.extensions?.code ?? 'OK';
    expect({ code: got, message: answer.json.errors?.[0]?.message }).toEqual({
      code,
      message: code === 'OK' ? undefined : expect.any(String),
    });
    if (status) expect(answer.status).toBe(status);
    expect(answer.json.errors?.every((e) => typeof e.extensions?.code === 'string') ?? true).toBe(
      true,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses ".." and NUL in path arguments, wherever paths are taken', async () => {
    const pathCases: [string, Body][] = [];
    const bad = ['/../etc', '/home/../../root', '/tmp/..', '/tmp/\u0000x', `/${'p'.repeat(5000)}`];
    for (const path of bad) {
      pathCases.push([
        `snapshot files path ${JSON.stringify(path.slice(0, 20))}`,
        q('query($p: ID!) { node(id: $p) { id } }', {
          p: `SnapshotEntry:local:${'0'.repeat(64)}:${path}`,
        }),
      ]);
    }
    if (mutationFields.has('restoreSnapshot')) {
      const restore = (input: Record<string, unknown>) =>
        q('mutation($i: RestoreSnapshotInput!) { restoreSnapshot(input: $i) { id } }', {
          i: { repository: 'local', snapshot: '0123456789abcdef', target: '/tmp/r', ...input },
        });
      for (const target of bad) {
        pathCases.push([
          `restore target ${JSON.stringify(target.slice(0, 20))}`,
          restore({ target }),
        ]);
      }
      pathCases.push(['restore include with ..', restore({ include: ['/home/../etc/shadow'] })]);
      pathCases.push(['restore with 2000 includes', restore({ include: Array(2000).fill('/a') })]);
    }
    expect(pathCases.length).toBeGreaterThan(0);
    for (const [name, body] of pathCases) {
      const answer = await send(body);
      expect([name, answer.json.errors?.[0]?.extensions?.code]).toEqual([name, 'BAD_USER_INPUT']);
    }
  });

  it('refuses over graphql-ws too: too many fields, bad job ids', async () => {
    const cases = [
      `subscription { jobUpdated { ${repeat(1200, (i) => `f${i}: id`)} } }`,
      `subscription { jobLogs(jobId: "abc") { message } }`,
      `subscription { jobLogs(jobId: "${'9'.repeat(2000)}") { message } }`,
    ];
    for (const query of cases) {
      const subscription = await client.subscribe(query);
      await subscription.until(() => subscription.errors.length > 0, 10_000).catch(() => []);
      expect([query.slice(0, 40), subscription.errors.length]).toEqual([query.slice(0, 40), 1]);
      subscription.close();
    }
  });

  it('still answers afterwards, and never failed internally', async () => {
    expect(await client.data('{ status { version } }')).toEqual({
      status: { version: expect.any(String) },
    });
    expect(started.daemon.stdout.filter((l) => l.includes('unexpected error answering'))).toEqual(
      [],
    );
  });
});
