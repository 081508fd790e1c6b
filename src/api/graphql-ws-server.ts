import type { SubscriptionConfig } from '@nestjs/graphql';
import {
  type GraphQLSchema,
  execute as graphqlExecute,
  subscribe as graphqlSubscribe,
} from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { type WebSocket, WebSocketServer } from 'ws';

const logger = new Logger('WebSocket');

/** Something done to each client's socket as it connects (its outbox, its heartbeat). */
export type WebSocketSetUp = (socket: WebSocket) => void;

/** What the daemon asks of its websockets beyond graphql-ws's own options. */
export interface WebSocketOptions {
  /**
   * The largest frame and message a client may send; a bigger one closes the socket with 1009
   * ("Message too big") before it is buffered whole. `ws`'s default is 100 MB. This bounds
   * `connection_init` (its connectionParams are read before authentication) as well as
   * `subscribe` messages.
   */
  maxPayload: number;
  /** Run for each client as it connects, in order, before graphql-ws sees it. */
  setUps: readonly WebSocketSetUp[];
}

export interface GraphqlWsServerOptions {
  schema: GraphQLSchema;
  path: string;
  context?: ServerOptions['context'];
  subscriptions: SubscriptionConfig;
  webSockets: WebSocketOptions;
}

/**
 * The graphql-ws endpoint: a `ws` server on the GraphQL path, handed the HTTP server's upgrades
 * for it, and graphql-ws's `useServer` on it, as @nestjs/graphql's GqlSubscriptionService sets
 * them up, less two things. graphql-ws's keep-alive is off: Nest calls `useServer` without its
 * `keepAlive` argument, so each connection got its own 12 s interval from the moment it
 * connected, and dashboards that connected together (a daemon restart reconnects them all) were
 * pinged together, 2,000 pings and their pongs within a few seconds, every 12 s, between the job
 * versions they wait for. WebSocketHeartbeat (websocket-heartbeat.ts) pings them spread over
 * the interval instead. And only graphql-ws is served: the legacy subscriptions-transport-ws
 * protocol, which the daemon never offered, is not set up at all.
 *
 * What the daemon does to every client's socket is given here (`webSockets`), so that it is in
 * place before graphql-ws sees the client: the message size, and the set-ups (its outbox, which
 * bounds and batches what it is sent; its heartbeat).
 */
export class GraphqlWsServer {
  readonly wss: WebSocketServer;
  private readonly disposable: { dispose(): void | Promise<void> };
  private readonly onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(
    options: GraphqlWsServerOptions,
    private readonly httpServer: Server,
  ) {
    const { subscriptions } = options;
    if ('subscriptions-transport-ws' in subscriptions) {
      throw new Error('subscriptions-transport-ws is not offered: use graphql-ws');
    }
    const graphqlWs = subscriptions['graphql-ws'];
    if (!graphqlWs) throw new Error('graphql-ws subscriptions are not configured');
    const path = (graphqlWs === true ? undefined : graphqlWs.path) ?? options.path;
    this.wss = new WebSocketServer({
      path,
      noServer: true,
      maxPayload: options.webSockets.maxPayload,
      // WebSocketOutbox writes frames past ws's Sender, which queues them while it compresses
      perMessageDeflate: false,
    });
    const { setUps } = options.webSockets;
    this.wss.on('connection', (socket: WebSocket) => {
      try {
        for (const setUp of setUps) setUp(socket);
      } catch (error) {
        // inside the HTTP server's upgrade handler a throw would end the daemon; a client that
        // could not be set up (its send limit, its heartbeat) is not served at all
        logger.error(
          `a websocket client could not be set up and was disconnected: ${error instanceof Error ? error.message : String(error)}`,
        );
        socket.terminate();
      }
    });
    this.disposable = useServer(
      {
        schema: options.schema,
        execute: graphqlExecute,
        subscribe: graphqlSubscribe,
        context: options.context,
        ...(graphqlWs === true ? {} : (graphqlWs as ServerOptions)),
      },
      this.wss,
      0,
    );
    this.onUpgrade = (request, socket, head) => {
      // as Nest's service: an upgrade for another path is not this server's (one that only
      // starts with the path, `/graphqlx`, is refused by ws, as it was)
      if (!request.url?.startsWith(path)) return;
      this.wss.handleUpgrade(request, socket, head, (ws) =>
        this.wss.emit('connection', ws, request),
      );
    };
    httpServer.on('upgrade', this.onUpgrade);
  }

  /** Closes every subscription's socket (graphql-ws's dispose) and stops taking upgrades. */
  async stop(): Promise<void> {
    this.httpServer.off('upgrade', this.onUpgrade);
    await this.disposable.dispose();
  }
}
