/**
 * The fan-out benchmark's baseline: a bare `ws` server, in a process of its own, that speaks just
 * enough of graphql-ws (connection_ack, then `next` messages) to feed the same graphql-ws clients
 * the daemon feeds. On each `send(job)` it stamps `updatedAt`, serialises the message once and
 * writes it to every subscriber: no GraphQL, no job feeds, no restic. What is left is what any
 * Node server and these clients pay on this machine for one message to each of them.
 *
 * API: `startBareFanOutServer()` → `{ url, send(job), stop() }`; `send` resolves once every
 * subscriber's message was handed to its socket (a HelperProcess, helper-process.ts).
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { answerQuestions, forkHelper } from './helper-process';

type Question = { listening: true } | { job: Record<string, unknown> };
interface Answer {
  port?: number;
  sent?: number;
}

export interface BareFanOutServer {
  url: string;
  pid: number;
  send(job: Record<string, unknown>): Promise<number>;
  stop(): Promise<void>;
}

export async function startBareFanOutServer(): Promise<BareFanOutServer> {
  const helper = forkHelper<Question, Answer>(__filename, '--serve', 'bare fan-out server');
  const { port } = await helper.ask({ listening: true });
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    pid: helper.pid,
    send: async (job) => (await helper.ask({ job })).sent!,
    stop: () => helper.stop(),
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
  const listening = new Promise<number>((resolve) =>
    server.on('listening', () => resolve((server.address() as AddressInfo).port)),
  );
  answerQuestions<Question, Answer>(async (question) => {
    if ('listening' in question) return { port: await listening };
    const stamped = { ...question.job, updatedAt: new Date().toISOString() };
    const payload = Buffer.from(`${JSON.stringify({ data: { jobUpdated: stamped } })}}`);
    let sent = 0;
    for (const [socket, prefixes] of subscriptions) {
      for (const prefix of prefixes) {
        socket.send(Buffer.concat([prefix, payload]), { binary: false });
        sent++;
      }
    }
    return { sent };
  });
}

if (process.argv[2] === '--serve') serve();
