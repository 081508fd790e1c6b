import { buildSchema } from 'graphql';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { GraphqlWsServer } from './graphql-ws-server';

const schema = buildSchema('type Query { ping: String } type Subscription { pinged: String }');

describe('GraphqlWsServer', () => {
  let http: Server;
  let server: GraphqlWsServer | undefined;
  const clients: WebSocket[] = [];

  beforeEach(async () => {
    http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await server?.stop();
    server = undefined;
    await new Promise((resolve) => http.close(resolve));
  });

  const start = (webSockets: ConstructorParameters<typeof GraphqlWsServer>[0]['webSockets']) => {
    server = new GraphqlWsServer(
      { schema, path: '/graphql', subscriptions: { 'graphql-ws': true }, webSockets },
      http,
    );
  };
  const connect = async () => {
    const { port } = http.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    clients.push(client);
    const messages: string[] = [];
    client.on('message', (data: Buffer) => messages.push(String(data)));
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    await new Promise((resolve) => client.once('open', resolve));
    return { client, messages, closed };
  };

  it('closes a client whose message is over maxPayload with 1009, and takes one under it', async () => {
    start({ maxPayload: 1000, setUps: [] });
    // graphql-ws reports ws's refusal on the console
    const reported = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const small = await connect();
    small.client.send(
      JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(800) } }),
    );
    const big = await connect();
    big.client.send(
      JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(1200) } }),
    );
    expect(await big.closed).toBe(1009);
    reported.mockRestore();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(small.messages.map((m) => JSON.parse(m) as unknown)).toEqual([
      { type: 'connection_ack' },
    ]);
  });

  it('runs the set-ups on each client, in order, before graphql-ws answers it', async () => {
    const seen: string[] = [];
    start({
      maxPayload: 1000,
      setUps: [
        (socket) => {
          seen.push('first');
          // graphql-ws's answer goes through the socket's send: the set-up is in place for it
          const send = socket.send.bind(socket);
          socket.send = ((data: string, ...rest: never[]) => {
            seen.push(`sent ${data}`);
            send(data, ...rest);
          }) as typeof socket.send;
        },
        () => seen.push('second'),
      ],
    });
    const { client, messages } = await connect();
    client.send(JSON.stringify({ type: 'connection_init' }));
    while (!messages.length) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['first', 'second', 'sent {"type":"connection_ack"}']);
  });

  it('offers no compression: the outbox writes frames past ws, which queues compressed ones', () => {
    start({ maxPayload: 1000, setUps: [] });
    expect(server!.wss.options.perMessageDeflate).toBe(false);
  });

  it('disconnects a client a set-up fails on, and goes on serving the others', async () => {
    let first = true;
    start({
      maxPayload: 1000,
      setUps: [
        () => {
          if (first) {
            first = false;
            throw new Error('no TCP socket');
          }
        },
      ],
    });
    const refused = await connect();
    expect(await refused.closed).toBe(1006);
    const served = await connect();
    served.client.send(JSON.stringify({ type: 'connection_init' }));
    while (!served.messages.length) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(served.messages).toEqual(['{"type":"connection_ack"}']);
  });
});
