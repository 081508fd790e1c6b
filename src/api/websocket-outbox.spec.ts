import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { SLOW_CLIENT_CLOSE_CODE, WebSocketOutbox, textFrame } from './websocket-outbox';

describe('WebSocketOutbox', () => {
  let server: WebSocketServer;
  let client: WebSocket | undefined;
  const slow: number[] = [];

  beforeEach(async () => {
    // as GraphqlWsServer has it: no permessage-deflate
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterEach(async () => {
    client?.terminate();
    await new Promise((resolve) => server.close(resolve));
    slow.length = 0;
  });

  /**
   * A connected pair, the server's socket with its outbox; `reads` lists, for each read of the
   * client's TCP socket, the messages in it.
   */
  const connect = async (options = { softBytes: 64 * 1024, stallMs: 300 }) => {
    const connected = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
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
    client.on('message', (data: Buffer, binary: boolean) =>
      current.push(binary ? `binary:${String(data)}` : String(data)),
    );
    await new Promise((resolve) => client!.once('open', resolve));
    const socket = await connected;
    const outbox = new WebSocketOutbox(socket, {
      ...options,
      onSlowClient: (bytes) => slow.push(bytes),
    });
    return { socket, outbox, client, reads };
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

  /** Sends as SubscriptionWriter does: each message once the one before was taken. */
  const sendAll = async (
    socket: WebSocket,
    outbox: WebSocketOutbox,
    count: number,
    bytes: number,
  ) => {
    const message = Buffer.from('x'.repeat(bytes));
    for (let i = 0; i < count && socket.readyState === WebSocket.OPEN; i++) {
      await new Promise<void>((resolve) => outbox.sendText([message], resolve));
    }
  };

  it('writes text frames ws reads back intact, at each length encoding, in order with ws own sends', async () => {
    const { socket, outbox, reads } = await connect();
    const texts = [0, 1, 125, 126, 65_535, 65_536, 200_000].map((size, i) =>
      String(i).padEnd(size, 'y').slice(0, size),
    );
    texts.push('é "quoted" \\ \u0000 \n');
    const expected: string[] = [];
    for (const [i, text] of texts.entries()) {
      // a message in two parts, as SubscriptionWriter sends it (its start, then the payload)
      const bytes = Buffer.from(text);
      outbox.sendText([bytes.subarray(0, 1), bytes.subarray(1)], () => undefined);
      socket.send(`ws ${i}`);
      expected.push(text, `ws ${i}`);
    }
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (reads.flat().length >= expected.length) resolve(clearInterval(poll));
      }, 10);
    });
    expect(reads.flat()).toEqual(expected);
  });

  it('makes the header of each length encoding as RFC 6455 has it', () => {
    expect([...textFrame(5).subarray(0, 2)]).toEqual([0x81, 5]);
    expect([...textFrame(300).subarray(0, 4)]).toEqual([0x81, 126, 1, 44]);
    expect([...textFrame(70_000).subarray(0, 10)]).toEqual([
      0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70,
    ]);
    expect(textFrame(70_000)).toHaveLength(70_010);
  });

  it('sends the messages of one turn in one write, in order, each intact', async () => {
    const { socket, outbox, reads } = await connect();
    const counted = countWrites(socket);
    // graphql-ws's send and the writer's, as a job's start sends them, each after the one before was taken
    await new Promise<void>((resolve) => outbox.sendText([Buffer.from('queued')], resolve));
    await new Promise<void>((resolve) => socket.send('running', () => resolve()));
    await new Promise<void>((resolve) => outbox.sendText([Buffer.from('x'.repeat(5000))], resolve));
    await settle();
    expect(counted.writes).toBe(1);
    expect(reads.flat()).toEqual(['queued', 'running', 'x'.repeat(5000)]);
  });

  it('writes at the end of each turn: messages of later turns are not held back', async () => {
    const { socket, outbox, reads } = await connect();
    const counted = countWrites(socket);
    outbox.sendText([Buffer.from('first')], () => undefined);
    await settle();
    expect(reads).toEqual([['first']]);
    socket.send('second');
    await settle();
    expect(reads).toEqual([['first'], ['second']]);
    expect(counted.writes).toBe(2);
  });

  it('lets a client that reads take every message', async () => {
    const { socket, outbox, client } = await connect();
    let received = 0;
    client.on('message', () => received++);
    await sendAll(socket, outbox, 2000, 1024);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (received === 2000) resolve(clearInterval(poll));
      }, 10);
    });
    expect(slow).toEqual([]);
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it.each([
    [
      'the writer',
      (socket: WebSocket, outbox: WebSocketOutbox) => sendAll(socket, outbox, 20_000, 16 * 1024),
    ],
    [
      "graphql-ws's own sends",
      async (socket: WebSocket) => {
        const message = 'x'.repeat(16 * 1024);
        for (let i = 0; i < 20_000 && socket.readyState === WebSocket.OPEN; i++) {
          await new Promise<void>((resolve) => socket.send(message, () => resolve()));
        }
      },
    ],
  ])(
    'closes a client that stops reading (%s) with 1008 and a reason, and holds no more than the limit',
    async (_kind, send) => {
      const { socket, outbox, client } = await connect();
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        client.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      (client as unknown as { _socket: { pause(): void } })._socket.pause();
      // far more than the kernel's buffers take: the rest waits in the daemon
      const sending = send(socket, outbox);
      while (!slow.length) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(socket.bufferedAmount).toBeLessThan(64 * 1024 + 2 * 16 * 1024);
      (client as unknown as { _socket: { resume(): void } })._socket.resume();
      const { code, reason } = await closed;
      expect(code).toBe(SLOW_CLIENT_CLOSE_CODE);
      expect(reason).toMatch(/read too slowly/);
      await sending;
    },
    20_000,
  );

  it('drops a client only if it stays behind for the whole stall time', async () => {
    const closed: number[] = [];
    const socket = {
      OPEN: 1,
      readyState: 1,
      bufferedAmount: 0,
      _socket: { write: () => true, cork: () => undefined, uncork: () => undefined },
      send: () => undefined,
      close: (code: number) => closed.push(code),
      terminate: () => undefined,
      once: () => undefined,
    };
    const outbox = new WebSocketOutbox(socket, { softBytes: 1000, stallMs: 1000 });
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const send = () => outbox.sendText([Buffer.from('x')], () => undefined);
    socket.bufferedAmount = 5000;
    send();
    // caught up, then behind again half a stall time later
    socket.bufferedAmount = 0;
    send();
    await wait(500);
    socket.bufferedAmount = 5000;
    send();
    await wait(700);
    expect(closed).toEqual([]);
    await wait(600);
    expect(closed).toEqual([SLOW_CLIENT_CLOSE_CODE]);
  });

  it('refuses a socket whose TCP socket it cannot find, rather than sending nothing', () => {
    const socket = { once: () => undefined, send: () => undefined } as never;
    expect(() => new WebSocketOutbox(socket)).toThrow(/no longer keeps its TCP socket/);
  });
});
