import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  GraphQLError,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import { WebSocket, WebSocketServer } from 'ws';
import { EventHub as Hub } from '../../test/support/event-hub';
import { SharedExecution } from './shared-execution';
import { SharedPayloadJson, withSharedPayloadJson } from './shared-payload-json';

/** The copy of graphql-ws the daemon runs: the one @nestjs/graphql serves subscriptions with. */
const served = import(
  require.resolve('graphql-ws/use/ws', { paths: [dirname(require.resolve('@nestjs/graphql'))] })
) as Promise<{
  useServer: (options: object, server: WebSocketServer) => { dispose(): Promise<void> };
}>;

/** A graphql-ws client at the protocol level, keeping every message as the text it came in. */
async function rawClient(port: number) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`, 'graphql-transport-ws');
  const messages: string[] = [];
  socket.on('message', (data) => messages.push((data as Buffer).toString('utf8')));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await waitUntil(() => messages.some((m) => JSON.parse(m).type === 'connection_ack'));
  return {
    socket,
    messages,
    subscribe: (id: string, query: string, variables: Record<string, unknown> = {}) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    nexts: () => messages.filter((m) => JSON.parse(m).type === 'next'),
  };
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 500) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SharedPayloadJson (one serialisation per shared graphql-ws result)', () => {
  const hub = new Hub();
  let server: WebSocketServer;
  let disposeServer: () => Promise<void>;
  let payloads: SharedPayloadJson;
  let port: number;
  const clients: WebSocket[] = [];

  beforeEach(async () => {
    const Tick = new GraphQLObjectType({
      name: 'Tick',
      fields: {
        label: {
          type: GraphQLString,
          args: { prefix: { type: GraphQLString } },
          resolve: (tick: { text: string }, args: { prefix?: string }) =>
            `${args.prefix ?? ''}${tick.text}`,
        },
        broken: {
          type: new GraphQLNonNull(GraphQLString),
          resolve: () => {
            throw new GraphQLError('no such thing', { extensions: { code: 'NOT_FOUND' } });
          },
        },
      },
    });
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: { tick: { type: Tick, subscribe: () => hub.follow() } },
      }),
    });
    payloads = new SharedPayloadJson();
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    const { useServer } = await served;
    const running = useServer(
      withSharedPayloadJson(
        { schema, subscribe: new SharedExecution().subscribe, onConnect: () => true },
        payloads,
      ),
      server,
    );
    disposeServer = () => running.dispose();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await disposeServer();
  });

  const connect = async () => {
    const client = await rawClient(port);
    clients.push(client.socket);
    return client;
  };

  it('serialises one event once for 30 subscribers, each of whom gets a valid next message with its own id', async () => {
    const subscribers = await Promise.all(Array.from({ length: 30 }, () => connect()));
    subscribers.forEach((s, i) =>
      s.subscribe(`sub-${i}"\\`, 'subscription($p: String) { tick { label(prefix: $p) } }', {
        p: 'n=',
      }),
    );
    await waitUntil(() => hub.size === 30);
    // text that JSON must escape, and a NUL like the placeholder's
    const text = 'é "quoted" \\ \u0000hen-shared-payload:1 \n';
    hub.publish({ text });
    await waitUntil(() => subscribers.every((s) => s.nexts().length === 1));
    subscribers.forEach((s, i) => {
      expect(JSON.parse(s.nexts()[0])).toEqual({
        id: `sub-${i}"\\`,
        type: 'next',
        payload: { data: { tick: { label: `n=${text}` } } },
      });
    });
    expect(payloads.serialisations).toBe(1);
  });

  it('serialises once per distinct selection, and sends errors as graphql-ws writes them', async () => {
    const same = await Promise.all([connect(), connect(), connect()]);
    const other = await connect();
    for (const [i, s] of same.entries()) s.subscribe(`a${i}`, 'subscription { tick { broken } }');
    other.subscribe('b', 'subscription { tick { label(prefix: "other ") } }');
    await waitUntil(() => hub.size === 4);
    hub.publish({ text: '1' });
    hub.publish({ text: '2' });
    await waitUntil(() => [...same, other].every((s) => s.nexts().length === 2));
    expect(other.nexts().map((m) => JSON.parse(m).payload)).toEqual([
      { data: { tick: { label: 'other 1' } } },
      { data: { tick: { label: 'other 2' } } },
    ]);
    for (const [i, s] of same.entries()) {
      expect(JSON.parse(s.nexts()[0])).toEqual({
        id: `a${i}`,
        type: 'next',
        payload: {
          data: { tick: null },
          errors: [
            {
              message: 'no such thing',
              locations: [{ line: 1, column: 23 }],
              path: ['tick', 'broken'],
              extensions: { code: 'NOT_FOUND' },
            },
          ],
        },
      });
    }
    // 2 events × 2 selections, not × 4 subscribers
    expect(payloads.serialisations).toBe(4);
  });

  it('leaves every other message as graphql-ws wrote it', () => {
    const message = '{"id":"x","type":"next","payload":"\\u0000hen-shared-payload:99"}';
    expect(payloads.splice(message)).toBe(message);
    expect(payloads.splice('{"type":"connection_ack"}')).toBe('{"type":"connection_ack"}');
    expect(payloads.serialisations).toBe(0);
  });
});
