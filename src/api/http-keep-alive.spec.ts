import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureKeepAlive, KEEP_ALIVE_TIMEOUT_MS } from './http-keep-alive';

describe('configureKeepAlive', () => {
  let server: Server;
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('keeps idle connections 65 s and tells clients so', async () => {
    server = createServer((_req, res) => res.end('ok'));
    configureKeepAlive(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
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
    expect(keepAlive).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
  });
});
