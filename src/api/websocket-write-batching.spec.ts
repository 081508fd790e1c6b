import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { limitSendBuffers } from './websocket-send-limit';
import { batchWebSocketWrites } from './websocket-write-batching';

describe('batchWebSocketWrites', () => {
  let server: WebSocketServer;
  let client: WebSocket | undefined;

  beforeEach(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    // as the daemon has them: graphql-ws's sends return at once below the send buffer limit
    limitSendBuffers(server);
    batchWebSocketWrites(server);
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterEach(async () => {
    client?.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A connected pair; `reads` lists, for each read of the client's TCP socket, the messages in it. */
  const connect = async () => {
    const socket = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const { port } = server.address() as AddressInfo;
    client = new WebSocket(`ws://127.0.0.1:${port}`);
    const reads: string[][] = [];
    let current: string[] = [];
    client.on('upgrade', (response) =>
      response.socket.on('data', () => {
        current = [];
        reads.push(current);
      }),
    );
    client.on('message', (data: Buffer) => current.push(String(data)));
    await new Promise((resolve) => client!.once('open', resolve));
    return { server: await socket, reads };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  /** Counts the writes the server's TCP socket hands to the system (one per writev or write). */
  const countWrites = (socket: WebSocket) => {
    const tcp = (socket as unknown as { _socket: Record<string, unknown> })._socket;
    const counted = { writes: 0 };
    for (const method of ['_writev', '_write'] as const) {
      const original = tcp[method] as (...args: unknown[]) => unknown;
      tcp[method] = (...args: unknown[]) => {
        counted.writes++;
        return original.apply(tcp, args);
      };
    }
    return counted;
  };

  it('sends the messages of one turn in one write, in order, each intact', async () => {
    const { server: socket, reads } = await connect();
    const counted = countWrites(socket);
    // as graphql-ws sends them: each send after the previous one's callback
    for (const message of ['queued', 'running', 'x'.repeat(5000)]) {
      await new Promise<void>((resolve) => socket.send(message, () => resolve()));
    }
    await settle();
    expect(counted.writes).toBe(1);
    expect(reads.flat()).toEqual(['queued', 'running', 'x'.repeat(5000)]);
  });

  it('writes at the end of each turn: messages of later turns are not held back', async () => {
    const { server: socket, reads } = await connect();
    const counted = countWrites(socket);
    socket.send('first');
    await settle();
    expect(reads).toEqual([['first']]);
    socket.send('second');
    await settle();
    expect(reads).toEqual([['first'], ['second']]);
    expect(counted.writes).toBe(2);
  });
});
