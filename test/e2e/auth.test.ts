import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { tempDir, writeRandomFiles } from './support/fixtures';
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

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 2, 1024);
    started = await startDaemon(dir.path, {
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
    expect(await outcome({ authorization: `Bearer ${TOKENS.viewer}` })).toBe('event');
  });

  it('never logs a token', () => {
    const output = [...started.daemon.stdout, ...started.daemon.stderr].join('\n');
    expect(output).toContain('authentication failed');
    for (const token of Object.values(TOKENS)) expect(output).not.toContain(token);
    expect(output).not.toContain('wrong-token-0123456789');
    expect(output).not.toContain('not-a-valid-token-at-all');
  });
});
