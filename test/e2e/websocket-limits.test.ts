import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { MAX_BODY_BYTES } from '../../src/api/http-body';
import { QUERY_LIMITS } from '../../src/api/query-limits';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';

interface Outcome {
  /** events received before the end */
  events: unknown[];
  /** the error message's errors, the close code as `closed <code>`, or 'complete' */
  end: { errors: { message: string; extensions?: { code?: string } }[] } | string;
}

/** The input limits of HTTP requests hold over graphql-ws too (issue #5). */
describe('websocket input limits', () => {
  const dir = tempDir('e2e-websocket-limits');
  let started: StartedDaemon;
  const clients: Client[] = [];
  const connections = new Map<Client, number>();

  const connect = (): Client => {
    const client = createClient({
      url: `ws://127.0.0.1:${started.port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      // One socket for the client's whole life, so a test can check that it stays open.
      lazy: false,
      onNonLazyError: () => undefined, // a closed socket is reported to the subscription's sink
    });
    client.on('connected', () => connections.set(client, (connections.get(client) ?? 0) + 1));
    clients.push(client);
    return client;
  };

  /**
   * Subscribes and waits for the first of: `wanted` events, an error message, completion, or the
   * socket closing. While waiting, runs a backup every 300 ms so that jobUpdated has events.
   */
  const subscribe = (client: Client, query: string, wanted = 1): Promise<Outcome> =>
    new Promise((resolve) => {
      const events: unknown[] = [];
      let done = false;
      const poke = setInterval(
        () => void started.client.request('mutation { runBackup(name: "docs") { id } }'),
        300,
      );
      const finish = (end: Outcome['end']) => {
        if (done) return;
        done = true;
        clearInterval(poke);
        clearTimeout(timer);
        offClosed();
        dispose();
        resolve({ events, end });
      };
      const timer = setTimeout(() => finish('timed out'), 30_000);
      const offClosed = client.on('closed', (event) =>
        finish(`closed ${(event as { code: number }).code}`),
      );
      const dispose = client.subscribe(
        { query },
        {
          next: (value) => {
            events.push(value);
            if (events.length >= wanted) finish('enough');
          },
          // An error message's errors, or the CloseEvent when the socket closed.
          error: (error) =>
            finish(
              Array.isArray(error)
                ? { errors: error as { message: string }[] }
                : `closed ${String((error as { code?: number }).code ?? error)}`,
            ),
          complete: () => finish('complete'),
        },
      );
    });

  /** A raw socket that sends `connection_init` with `payload` and resolves with how it ended. */
  const rawInit = (payload: unknown): Promise<string> =>
    new Promise((resolve) => {
      const socket = new WebSocket(
        `ws://127.0.0.1:${started.port}/graphql`,
        'graphql-transport-ws',
      );
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
      socket.on('message', (data) => {
        const type = (JSON.parse((data as Buffer).toString('utf8')) as { type: string }).type;
        socket.close(1000);
        resolve(type);
      });
      socket.on('error', () => undefined);
      socket.on('close', (code) => resolve(`closed ${code}`));
    });

  const status = async () => (await started.client.data('{ status { version } }')) as unknown;

  const jobUpdated = 'subscription { jobUpdated { id state } }';

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 2, 1024);
    started = await startDaemon(dir.path, {
      repositories: { local: { location: join(dir.path, 'repo'), password: 'ws-limits-pw' } },
      backups: { docs: { paths: [join(dir.path, 'data')], repositories: ['local'] } },
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map(async (c) => c.dispose()));
    if (started) await started.stop();
    dir.cleanup();
  });

  it('delivers the events of a normal subscription', async () => {
    const outcome = await subscribe(connect(), jobUpdated);
    expect(outcome.end).toBe('enough');
    expect(outcome.events[0]).toEqual({
      data: { jobUpdated: { id: expect.any(String), state: expect.any(String) } },
    });
  });

  it('accepts a subscribe message just under the limit', async () => {
    // A comment is not a token: this is big, but well within the token limit.
    const query = `# ${'x'.repeat(MAX_BODY_BYTES - 4096)}\n${jobUpdated}`;
    const outcome = await subscribe(connect(), query);
    expect(outcome.end).toBe('enough');
  });

  it('closes the socket with 1009 on a subscribe message over the limit', async () => {
    const query = `# ${'x'.repeat(MAX_BODY_BYTES + 1024)}\n${jobUpdated}`;
    const outcome = await subscribe(connect(), query);
    expect(outcome).toEqual({ events: [], end: 'closed 1009' });
  });

  it('closes the socket with 1009 on a connection_init over the limit', async () => {
    expect(await rawInit({ authorization: 'x'.repeat(MAX_BODY_BYTES + 1024) })).toBe('closed 1009');
    expect(await rawInit({ authorization: 'x'.repeat(1024) })).toBe('connection_ack');
  });

  it('still answers HTTP and new websockets after refusing big messages', async () => {
    expect(await status()).toEqual({ status: { version: expect.any(String) } });
    const outcome = await subscribe(connect(), jobUpdated);
    expect(outcome.end).toBe('enough');
  });

  it('answers a subscription over the token limit with GRAPHQL_PARSE_FAILED, as HTTP does', async () => {
    const query = `subscription { jobUpdated { ${'id '.repeat(QUERY_LIMITS.maxTokens)} } }`;
    expect(Buffer.byteLength(query)).toBeLessThan(MAX_BODY_BYTES);
    const overHttp = await started.client.request(query);
    const client = connect();
    const outcome = await subscribe(client, query);
    expect(outcome.end).toEqual({
      errors: [
        {
          message: expect.stringContaining(`${QUERY_LIMITS.maxTokens} tokens`),
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          locations: expect.any(Array),
        },
      ],
    });
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    // Only the subscription is refused: the same socket goes on serving.
    expect((await subscribe(client, jobUpdated)).end).toBe('enough');
    expect(connections.get(client)).toBe(1);
  });

  it('answers a syntax error with GRAPHQL_PARSE_FAILED instead of closing the socket', async () => {
    const client = connect();
    const outcome = await subscribe(client, 'subscription { jobUpdated { id ');
    expect(outcome.end).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } })],
    });
    expect((await subscribe(client, jobUpdated)).end).toBe('enough');
    expect(connections.get(client)).toBe(1);
  });

  it('still validates depth and cost over graphql-ws, with the code HTTP gives', async () => {
    const query = `subscription { jobUpdated { ${Array.from({ length: 1200 }, (_, i) => `f${i}: id`).join(' ')} } }`;
    const outcome = await subscribe(connect(), query);
    expect(outcome.end).toEqual({
      errors: [
        expect.objectContaining({
          message: expect.stringContaining('more than 1000'),
          extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
        }),
      ],
    });
  });

  it('never failed internally', async () => {
    expect(await status()).toEqual({ status: { version: expect.any(String) } });
    expect(started.daemon.stdout.filter((l) => l.includes('unexpected error answering'))).toEqual(
      [],
    );
  });
});
