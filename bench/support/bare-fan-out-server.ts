/**
 * The fan-out benchmark's baseline: a bare `ws` server, in a process of its own, that speaks just
 * enough of graphql-ws (connection_ack, then `next` messages) to feed the same graphql-ws clients
 * the daemon feeds. On each `send(job)` it stamps `updatedAt`, serialises the message once and
 * writes it to every subscriber: no GraphQL, no job feeds, no restic. What is left is what any
 * Node server and these clients pay on this machine for one message to each of them.
 *
 * API: `startBareFanOutServer()` → `{ url, send(job), stop() }`; `send` resolves once every
 * subscriber's message was handed to its socket.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

interface ToServer {
  job: Record<string, unknown>;
}
type FromServer = { port: number } | { sent: number };

export interface BareFanOutServer {
  url: string;
  send(job: Record<string, unknown>): Promise<number>;
  stop(): void;
}

export async function startBareFanOutServer(): Promise<BareFanOutServer> {
  const child: ChildProcess = fork(__filename, ['--serve'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: ((message: FromServer) => void)[] = [];
  child.on('message', (message: FromServer) => replies.shift()?.(message));
  const next = () => new Promise<FromServer>((resolve) => replies.push(resolve));
  const ready = (await next()) as { port: number };
  return {
    url: `ws://127.0.0.1:${ready.port}/graphql`,
    send: async (job) => {
      const sent = next();
      child.send({ job } satisfies ToServer);
      return ((await sent) as { sent: number }).sent;
    },
    stop: () => child.kill(),
  };
}

function serve(): void {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const subscriptions = new Map<WebSocket, Buffer[]>();
  server.on('connection', (socket) => {
    subscriptions.set(socket, []);
    socket.on('close', () => subscriptions.delete(socket));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string };
      if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
      if (message.type === 'subscribe') {
        const prefix = `{"id":${JSON.stringify(message.id)},"type":"next","payload":`;
        subscriptions.get(socket)?.push(Buffer.from(prefix));
      }
    });
  });
  server.on('listening', () => {
    process.send!({ port: (server.address() as AddressInfo).port } satisfies FromServer);
  });
  process.on('message', ({ job }: ToServer) => {
    const stamped = { ...job, updatedAt: new Date().toISOString() };
    const payload = Buffer.from(`${JSON.stringify({ data: { jobUpdated: stamped } })}}`);
    let sent = 0;
    for (const [socket, prefixes] of subscriptions) {
      for (const prefix of prefixes) {
        socket.send(Buffer.concat([prefix, payload]), { binary: false });
        sent++;
      }
    }
    process.send!({ sent } satisfies FromServer);
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === '--serve') serve();
