import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  configureKeepAlive,
  KEEP_ALIVE_TIMEOUT_MS,
  keepAliveWhileClosing,
} from './http-keep-alive';

/** One keep-alive request; resolves with the response's Keep-Alive header once it is read. */
function get(port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      { port, host: '127.0.0.1', headers: { connection: 'keep-alive' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['keep-alive'] as string | undefined));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP keep-alive', () => {
  let server: Server;
  afterEach(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
    server = createServer(handler);
    configureKeepAlive(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('keeps idle connections 65 s and tells clients so', async () => {
    const port = await listen((_req, res) => res.end('ok'));
    expect(await get(port)).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
  });

  it('lets a stop end a connection that was answering a request soon after its response', async () => {
    let answer!: () => void;
    const port = await listen((_req, res) => (answer = () => res.end('ok')));
    const answered = get(port);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the request is in flight
    const closed = new Promise<number>((resolve) => {
      const stop = Date.now();
      keepAliveWhileClosing(server);
      server.close(() => resolve(Date.now() - stop));
    });
    answer();
    await answered;
    // with the 65 s timeout the server's close would wait about a minute for this connection
    expect(await closed).toBeLessThan(5_000);
  });
});
