import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { SLOW_CLIENT_CLOSE_CODE, limitSendBuffers } from './websocket-send-limit';

describe('limitSendBuffers', () => {
  let server: WebSocketServer;
  let client: WebSocket | undefined;
  let serverSocket: Promise<WebSocket>;
  const slow: number[] = [];

  beforeEach(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    limitSendBuffers(server, {
      softBytes: 64 * 1024,
      stallMs: 300,
      onSlowClient: (bytes) => slow.push(bytes),
    });
    serverSocket = new Promise((resolve) => server.once('connection', resolve));
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterEach(async () => {
    client?.terminate();
    await new Promise((resolve) => server.close(resolve));
    slow.length = 0;
  });

  const connect = async () => {
    const { port } = server.address() as AddressInfo;
    client = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve) => client!.once('open', resolve));
    return { socket: await serverSocket, client: client };
  };

  /** Sends as graphql-ws does: each message waits for send's callback. */
  const sendAll = async (socket: WebSocket, count: number, bytes: number) => {
    const message = 'x'.repeat(bytes);
    for (let i = 0; i < count && socket.readyState === WebSocket.OPEN; i++) {
      await new Promise<void>((resolve) => socket.send(message, () => resolve()));
    }
  };

  it('lets a client that reads take every message', async () => {
    const { socket, client } = await connect();
    let received = 0;
    client.on('message', () => received++);
    await sendAll(socket, 2000, 1024);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (received === 2000) resolve(clearInterval(poll));
      }, 10);
    });
    expect(slow).toEqual([]);
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a client that stops reading with 1008 and a reason, and holds no more than the limit', async () => {
    const { socket, client } = await connect();
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    (client as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    // far more than the kernel's buffers take: the rest waits in the daemon
    const sending = sendAll(socket, 20_000, 16 * 1024);
    while (!slow.length) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.bufferedAmount).toBeLessThan(64 * 1024 + 2 * 16 * 1024);
    (client as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(SLOW_CLIENT_CLOSE_CODE);
    expect(reason).toMatch(/read too slowly/);
    await sending;
  }, 20_000);
});
