import type { AddressInfo } from 'node:net';
import {
  GraphQLError,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type ExecutionResult,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { EventHub as Hub } from '../../test/support/event-hub';
import type { Pullable } from '../common/pullable';
import { SharedExecution } from './shared-execution';
import { SubscriptionWriter, type TextSender } from './subscription-writer';
import { WebSocketOutboxes } from './websocket-outbox';

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
    complete: (id: string) => socket.send(JSON.stringify({ id, type: 'complete' })),
    nexts: () => messages.filter((m) => JSON.parse(m).type === 'next'),
    /** every message after the acknowledgement, parsed */
    parsed: () =>
      messages
        .map((m) => JSON.parse(m) as { type: string })
        .filter((m) => m.type !== 'connection_ack'),
  };
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 500) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SubscriptionWriter (graphql-ws results written by the daemon, serialised once)', () => {
  const hub = new Hub();
  let server: WebSocketServer;
  let disposeServer: () => void | Promise<void>;
  let writer: SubscriptionWriter;
  let port: number;
  const clients: WebSocket[] = [];
  /** what the `ending` and `failing` subscriptions had returned to them */
  let returned: string[];

  beforeEach(async () => {
    returned = [];
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
    // two events, then the end or a failure
    const twoThen = (name: string, last: () => IteratorResult<object>) => () => {
      let given = 0;
      const events: AsyncIterableIterator<object> = {
        next: () =>
          Promise.resolve(
            given < 2 ? { done: false, value: { [name]: { text: String(++given) } } } : last(),
          ),
        return: () => {
          returned.push(name);
          return Promise.resolve({ done: true, value: undefined });
        },
        [Symbol.asyncIterator]: () => events,
      };
      return events;
    };
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          tick: { type: Tick, subscribe: () => hub.follow() },
          ending: {
            type: Tick,
            subscribe: twoThen('ending', () => ({ done: true, value: undefined })),
          },
          failing: {
            type: Tick,
            subscribe: twoThen('failing', () => {
              throw new Error('the source broke');
            }),
          },
        },
      }),
    });
    // as the daemon has them: each client's messages go out through its outbox
    const outboxes = new WebSocketOutboxes();
    writer = new SubscriptionWriter(outboxes);
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    server.on('connection', outboxes.open);
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    const running = useServer(
      {
        schema,
        subscribe: new SharedExecution().subscribe,
        onConnect: () => true,
        onOperation: writer.onOperation,
      },
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
    // text that JSON must escape
    const text = 'é "quoted" \\ \u0000 \n';
    hub.publish({ text });
    await waitUntil(() => subscribers.every((s) => s.nexts().length === 1));
    subscribers.forEach((s, i) => {
      expect(JSON.parse(s.nexts()[0])).toEqual({
        id: `sub-${i}"\\`,
        type: 'next',
        payload: { data: { tick: { label: `n=${text}` } } },
      });
    });
    expect(writer.serialisations).toBe(1);
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
    expect(writer.serialisations).toBe(4);
  });

  it('sends complete after the last result of a stream that ends', async () => {
    const client = await connect();
    client.subscribe('e', 'subscription { ending { label } }');
    await waitUntil(() => client.parsed().length === 3);
    expect(client.parsed()).toEqual([
      { id: 'e', type: 'next', payload: { data: { ending: { label: '1' } } } },
      { id: 'e', type: 'next', payload: { data: { ending: { label: '2' } } } },
      { id: 'e', type: 'complete' },
    ]);
    // a stream that ended is not told to stop
    expect(returned).toEqual([]);
  });

  it('sends the results before a failure, then the failure as an error message', async () => {
    const client = await connect();
    client.subscribe('f', 'subscription { failing { label } }');
    await waitUntil(() => client.parsed().length === 3);
    expect(client.parsed()).toEqual([
      { id: 'f', type: 'next', payload: { data: { failing: { label: '1' } } } },
      { id: 'f', type: 'next', payload: { data: { failing: { label: '2' } } } },
      { id: 'f', type: 'error', payload: [{ message: 'the source broke' }] },
    ]);
    // what failed is told to stop, so that a feed behind it stops listening
    expect(returned).toEqual(['failing']);
  });

  it('stops the stream when the client completes the subscription or its socket closes', async () => {
    const leaving = await connect();
    const closing = await connect();
    leaving.subscribe('l', 'subscription { tick { label } }');
    closing.subscribe('c', 'subscription { tick { label } }');
    await waitUntil(() => hub.size === 2);
    leaving.complete('l');
    await waitUntil(() => hub.size === 1);
    closing.socket.close();
    await waitUntil(() => hub.size === 0);
    hub.publish({ text: 'after' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // graphql-ws sends no complete for a subscription its client completed
    expect(leaving.parsed()).toEqual([]);
  });

  /** Results numbered from 1, counting the pulls and telling whether the stream was returned. */
  const numbered = () => {
    const seen = { pulls: 0, returned: false };
    const results: AsyncIterableIterator<ExecutionResult> = {
      next: () => Promise.resolve({ done: false, value: { data: { n: ++seen.pulls } } }),
      return: () => {
        seen.returned = true;
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => results,
    };
    return { results, seen };
  };

  /**
   * Pullable results: `ready` of them handed over at once, then each further one when `release`
   * is called, then the end after `total`; counting next() calls, which a Pullable reader makes none of.
   */
  const pullableNumbered = (ready: number, total: number) => {
    const seen = { given: 0, nexts: 0 };
    let waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
    const result = (): IteratorResult<ExecutionResult> =>
      seen.given < total
        ? { done: false, value: { data: { n: ++seen.given } } }
        : { done: true, value: undefined };
    const results: AsyncIterableIterator<ExecutionResult> & Pullable<ExecutionResult> = {
      pull: (deliver) => {
        if (seen.given < ready) deliver(result());
        else waiting = deliver;
      },
      next: () => {
        seen.nexts++;
        return Promise.resolve(result());
      },
      return: () => Promise.resolve({ done: true, value: undefined }),
      [Symbol.asyncIterator]: () => results,
    };
    const release = () => {
      const deliver = waiting;
      waiting = undefined;
      deliver?.(result());
    };
    return { results, seen, release };
  };

  it('writes what a Pullable stream has waiting one after the other, in order, with no promise and no recursion', async () => {
    const sent: string[] = [];
    const { socket, writer } = fake((data, taken) => {
      sent.push(data);
      taken();
    });
    // written by recursion, 20,000 results at once would overflow the stack
    const { results, seen, release } = pullableNumbered(20_000, 20_001);
    const stream = writer.onOperation({ extra: { socket } }, 'x', {}, {}, results)!;
    const ended = stream.next();
    expect(sent).toHaveLength(20_000);
    expect(sent[19_999]).toBe('{"id":"x","type":"next","payload":{"data":{"n":20000}}}');
    expect(sent.every((m, i) => m.includes(`{"n":${i + 1}}`))).toBe(true);
    // one more when it comes, then the end
    release();
    expect(sent).toHaveLength(20_001);
    release();
    await expect(ended).resolves.toEqual({ done: true, value: undefined });
    expect(seen.nexts).toBe(0);
  });

  it('pulls a Pullable stream again only once the socket has taken the result before', () => {
    const callbacks: (() => void)[] = [];
    const { socket, writer } = fake((_data, taken) => callbacks.push(taken));
    const { results, seen } = pullableNumbered(10, 10);
    const stream = writer.onOperation({ extra: { socket } }, 'x', {}, {}, results)!;
    void stream.next();
    expect(seen.given).toBe(1);
    callbacks[0]();
    expect(seen.given).toBe(2);
    void stream.return!();
    callbacks[1]();
    expect(seen.given).toBe(2);
  });

  /** A socket as the writer sees it (open), whose messages go to `send`, and a writer for it. */
  const fake = (send: (data: string, taken: () => void) => void) => {
    const socket = { OPEN: 1, readyState: 1 };
    const sender: TextSender = {
      sendText: (parts, taken) => send(Buffer.concat(parts).toString(), taken),
    };
    return {
      socket,
      writer: new SubscriptionWriter({ of: (s) => (s === socket ? sender : undefined) }),
    };
  };

  it('leaves the writing to graphql-ws for a socket without an outbox', () => {
    const { writer } = fake(() => undefined);
    const { results } = numbered();
    expect(
      writer.onOperation({ extra: { socket: { OPEN: 1, readyState: 1 } } }, 'x', {}, {}, results),
    ).toBeUndefined();
  });

  it('ends the subscription with the error when a result cannot be written', async () => {
    const { socket, writer } = fake(() => {
      throw new Error('the socket broke');
    });
    const { results, seen } = numbered();
    const stream = writer.onOperation({ extra: { socket } }, 'x', {}, {}, results)!;
    await expect(stream.next()).rejects.toThrow('the socket broke');
    expect(seen.returned).toBe(true);
  });

  it('pulls nothing more once the socket is closing, until graphql-ws returns the stream', async () => {
    const sent: string[] = [];
    const { socket, writer } = fake((data, taken) => {
      sent.push(data);
      // the outbox closes the socket of a client that stopped reading
      socket.readyState = 2;
      taken();
    });
    const { results, seen } = numbered();
    const stream = writer.onOperation({ extra: { socket } }, 'x', {}, {}, results)!;
    void stream.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // the one written, and the one pulled when its send was done
    expect(sent).toHaveLength(1);
    expect(seen.pulls).toBe(2);
    expect(seen.returned).toBe(false);
    await stream.return!();
    expect(seen.returned).toBe(true);
  });

  it('pulls the next result only once the socket has taken the one before', async () => {
    const callbacks: (() => void)[] = [];
    const sent: string[] = [];
    const { socket, writer } = fake((data, taken) => {
      sent.push(data);
      callbacks.push(taken);
    });
    const { results, seen } = numbered();
    const stream = writer.onOperation({ extra: { socket } }, 'x', {}, {}, results)!;
    void stream.next();
    await waitUntil(() => sent.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.pulls).toBe(1);
    callbacks[0]();
    await waitUntil(() => sent.length === 2);
    expect(sent).toEqual([
      '{"id":"x","type":"next","payload":{"data":{"n":1}}}',
      '{"id":"x","type":"next","payload":{"data":{"n":2}}}',
    ]);
    await stream.return!();
    callbacks[1]();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.pulls).toBe(2);
  });
});
