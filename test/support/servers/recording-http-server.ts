import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** path and query */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * An HTTP receiver on loopback that records every request (webhooks, ntfy, Gotify, healthchecks
 * and Uptime Kuma pings). `down()` closes it (connections are refused) and `up()` listens again
 * on the same port; `hang()` makes it accept requests and never answer.
 */
export class RecordingHttpServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly held: ServerResponse[] = [];
  private hanging = false;
  port = 0;

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.hanging) {
          this.held.push(res);
          return;
        }
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        res.setHeader('Content-Type', 'text/plain');
        res.end('OK');
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts open connections: the receiver is down. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  }

  hang(): void {
    this.hanging = true;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url === path || r.url.startsWith(`${path}?`));
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    await this.down();
  }
}
