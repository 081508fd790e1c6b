import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';

const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};

/** Bearer tokens and roles, over HTTP and over graphql-ws. */
describe('API authentication and roles', () => {
  const dir = tempDir('e2e-auth');
  let started: StartedDaemon;

  const post = (query: string, token?: string) =>
    new GraphQLTestClient(started.port, token).request(query);
  const code = async (query: string, token?: string) =>
    (await post(query, token)).errors?.[0]?.extensions?.code ?? 'OK';

  const config = () => ({
    api: {
      tokens: Object.entries(TOKENS).map(([role, token]) => ({
        name: `${role}-client`,
        role,
        token,
      })),
    },
    repositories: {
      local: { location: join(dir.path, 'repo'), password: 'auth-test-password' },
    },
    backups: { docs: { paths: [join(dir.path, 'data')], repositories: ['local'] } },
  });

  /** A raw HTTP exchange: the status and the parsed body. */
  const http = async (init: {
    method?: string;
    headers?: Record<string, string>;
    body?: object;
    search?: string;
  }) => {
    const response = await fetch(`http://127.0.0.1:${started.port}/graphql${init.search ?? ''}`, {
      method: init.method ?? 'POST',
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  };
  const INTROSPECTION = '{ __schema { queryType { name } } }';

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 2, 1024);
    started = await startDaemon(dir.path, config());
  });

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('refuses requests without a token or with an unknown one', async () => {
    expect(await code('{ status { version } }')).toBe('UNAUTHENTICATED');
    expect(await code('{ status { version } }', 'not-a-valid-token-at-all')).toBe(
      'UNAUTHENTICATED',
    );
    expect(await code('mutation { runBackup(name: "docs") { id } }')).toBe('UNAUTHENTICATED');
  });

  it('answers HTTP 401 with a GraphQL error body, before anything runs', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'a bearer token is required'],
      [{ authorization: 'Bearer not-a-valid-token-at-all' }, 'the token is not valid'],
      // a raw token, or another scheme, is refused even when the token itself is right
      [{ authorization: TOKENS.admin }, 'must be "Bearer <token>"'],
      [{ authorization: `Basic ${TOKENS.admin}` }, 'must be "Bearer <token>"'],
      [{ authorization: `Token ${TOKENS.admin}` }, 'must be "Bearer <token>"'],
    ];
    for (const [headers, message] of cases) {
      const answer = await http({ headers, body: { query: '{ status { version } }' } });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining(message),
          extensions: { code: 'UNAUTHENTICATED' },
        }),
      ]);
    }
    const ok = await http({
      headers: { authorization: `bearer  ${TOKENS.viewer}` },
      body: { query: '{ status { version } }' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data.status.version).toEqual(expect.any(String));
  });

  it('asks a token for introspection like for any query', async () => {
    const anonymous = await http({ body: { query: INTROSPECTION } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const typename = await http({ body: { query: '{ __typename }' } });
    expect(typename.status).toBe(401);
    const viewer = await http({
      headers: { authorization: `Bearer ${TOKENS.viewer}` },
      body: { query: INTROSPECTION },
    });
    expect(viewer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('answers a persisted-query hash PERSISTED_QUERY_NOT_SUPPORTED: they are switched off', async () => {
    const persistedQuery = { version: 1, sha256Hash: 'a'.repeat(64) };
    for (const body of [
      { extensions: { persistedQuery } },
      // with the query and a hash that does not match it
      { query: '{ status { version } }', extensions: { persistedQuery } },
    ]) {
      const answer = await http({ headers: { authorization: `Bearer ${TOKENS.viewer}` }, body });
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    }
  });

  it('answers GET queries that carry the CSRF header, and refuses those without', async () => {
    const search = `?query=${encodeURIComponent('{ status { version } }')}`;
    const auth = { authorization: `Bearer ${TOKENS.viewer}` };
    const refused = await http({ method: 'GET', search, headers: auth });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const answered = await http({
      method: 'GET',
      search,
      headers: { ...auth, 'apollo-require-preflight': 'true' },
    });
    expect(answered.status).toBe(200);
    expect(answered.body.data.status.version).toEqual(expect.any(String));
    // a mutation is never run from a GET
    const mutation = await http({
      method: 'GET',
      search: `?query=${encodeURIComponent('mutation { reloadConfig { reloaded } }')}`,
      headers: { authorization: `Bearer ${TOKENS.admin}`, 'apollo-require-preflight': 'true' },
    });
    expect(mutation.status).toBe(405);
  });

  it('lets each role do what it may, and no more', async () => {
    const read = '{ status { version } backups { name } jobs { edges { node { id } } } }';
    const run = 'mutation { runBackup(name: "docs", priority: "inferior") { id } }';
    const check = 'mutation { checkRepository(name: "local") { id } }';
    const prune = 'mutation { pruneBackup(name: "docs") { id } }';
    const unlock = 'mutation { unlockRepository(name: "local") { id } }';
    const cancel = 'mutation { cancelJob(id: "999999") { id } }';
    // the file is unchanged, so an admin's reload applies it again
    const reload = 'mutation { reloadConfig { reloaded } }';
    const matrix = Object.fromEntries(
      await Promise.all(
        Object.entries(TOKENS).map(async ([role, token]) => [
          role,
          [
            await code(read, token),
            await code(run, token),
            await code(check, token),
            await code(prune, token),
            await code(cancel, token),
            await code(unlock, token),
            await code(reload, token),
          ],
        ]),
      ),
    );
    expect(matrix).toEqual({
      viewer: ['OK', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
      operator: ['OK', 'OK', 'OK', 'OK', 'NOT_FOUND', 'FORBIDDEN', 'FORBIDDEN'],
      admin: ['OK', 'OK', 'OK', 'OK', 'NOT_FOUND', 'OK', 'OK'],
    });
  });

  it('checks the token in connection_init before any subscription starts', async () => {
    const outcome = (connectionParams?: Record<string, unknown>) =>
      new Promise<string>((resolve) => {
        // With a valid token, an event proves the subscription runs; keep causing events until
        // one arrives, since the socket may still be connecting when the first one happens.
        const poke = setInterval(
          () => void post('mutation { runBackup(name: "docs") { id } }', TOKENS.operator),
          300,
        );
        const finish = (result: string) => {
          clearInterval(poke);
          resolve(result);
        };
        const client = createClient({
          url: `ws://127.0.0.1:${started.port}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          connectionParams,
          on: { closed: (event) => finish(`closed ${(event as { code: number }).code}`) },
        });
        client.subscribe(
          { query: 'subscription { jobUpdated { id state } }' },
          {
            next: () => {
              finish('event');
              void client.dispose();
            },
            error: () => undefined,
            complete: () => undefined,
          },
        );
      });
    expect(await outcome()).toBe('closed 4403');
    expect(await outcome({ authorization: 'Bearer wrong-token-0123456789' })).toBe('closed 4403');
    // only `authorization: Bearer <token>`, as over HTTP
    expect(await outcome({ authorization: TOKENS.viewer })).toBe('closed 4403');
    expect(await outcome({ token: TOKENS.viewer })).toBe('closed 4403');
    expect(await outcome({ Authorization: `Bearer ${TOKENS.viewer}` })).toBe('event');
    expect(await outcome({ authorization: `Bearer ${TOKENS.viewer}` })).toBe('event');
  });

  it('opens introspection alone with api.openIntrospection', async () => {
    writeFileSync(
      started.configPath,
      stringify({
        dataDir: join(dir.path, 'state'),
        ...config(),
        api: { ...config().api, host: '127.0.0.1', port: started.port, openIntrospection: true },
      }),
    );
    const reload = await http({
      headers: { authorization: `Bearer ${TOKENS.admin}` },
      body: { query: 'mutation { reloadConfig { reloaded } }' },
    });
    expect(reload.body.errors).toBeUndefined();
    const schema = await http({ body: { query: INTROSPECTION } });
    expect(schema.status).toBe(200);
    expect(schema.body.data.__schema.queryType.name).toBe('Query');
    // anything beside introspection in the same operation still needs a token
    const mixed = await http({ body: { query: '{ __typename status { version } }' } });
    expect(mixed.status).toBe(401);
  });

  it('never logs a token', () => {
    const output = [...started.daemon.stdout, ...started.daemon.stderr].join('\n');
    expect(output).toContain('authentication failed');
    for (const token of Object.values(TOKENS)) expect(output).not.toContain(token);
    expect(output).not.toContain('wrong-token-0123456789');
    expect(output).not.toContain('not-a-valid-token-at-all');
  });
});
