import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s). A client that
 * reuses a connection at the moment the daemon closes it gets "other side closed" for a request
 * the daemon never saw, and a POST is not retried: undici keeps a connection a second or two
 * less than the daemon says, so a client whose event loop ran late by more than that (a busy
 * machine: the test suite in CI) lost a mutation. Longer than the idle timeouts clients and
 * proxies use (60 s for the common load balancers), so that they, not the daemon, close first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/**
 * Once the daemon is stopping: closing the server ends idle connections at once, but one that
 * was answering a request stays open for the keep-alive timeout after its response, and the
 * stop (the state database's close) waits for it.
 */
export const CLOSING_KEEP_ALIVE_TIMEOUT_MS = 500;

export function configureKeepAlive(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // a request starting late in the keep-alive window must not meet a shorter headers timeout
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}

export function keepAliveWhileClosing(server: Server): void {
  server.keepAliveTimeout = CLOSING_KEEP_ALIVE_TIMEOUT_MS;
}

/** The keep-alive timeouts of the daemon's HTTP server, long while it runs, short as it stops. */
@Injectable()
export class HttpKeepAlive implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const server = this.server();
    if (server) configureKeepAlive(server);
  }

  beforeApplicationShutdown(): void {
    const server = this.server();
    if (server) keepAliveWhileClosing(server);
  }

  /** None in an application context without HTTP (the CLI's, some tests'). */
  private server(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }
}
