import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MAX_BODY_BYTES } from './http-body';

/**
 * The parts of `ws`'s WebSocketServer used here, found through the GraphQL module's driver (its
 * private field, duck-typed rather than trusted).
 */
interface WebSocketServerLike {
  options: { maxPayload?: number; noServer?: boolean };
  handleUpgrade: (...args: never[]) => unknown;
}

function isWebSocketServer(value: unknown): value is WebSocketServerLike {
  const candidate = value as Partial<WebSocketServerLike> | null | undefined;
  return (
    typeof candidate?.handleUpgrade === 'function' &&
    typeof candidate.options === 'object' &&
    candidate.options !== null
  );
}

/**
 * The graphql-ws WebSocketServer of the GraphQL module (GraphqlWsServer.wss, held by
 * ApolloDriver as `_subscriptionService`, as @nestjs/apollo held Nest's own service; the
 * driver is GraphQLModule's public `graphQlAdapter`), for the modules that set its sockets up:
 * message size (here), send limit, write batching, heartbeat.
 *
 * Throws when the path is gone, so the daemon refuses to start rather than silently accepting
 * 100 MB messages (`ws`'s default maxPayload); test/e2e/websocket-limits.test.ts checks the
 * limit itself.
 */
export function graphqlWebSocketServer(graphql: GraphQLModule): WebSocketServerLike {
  const driver = graphql.graphQlAdapter as unknown as {
    _subscriptionService?: { wss?: unknown };
  };
  const server = driver?._subscriptionService?.wss;
  if (!isWebSocketServer(server)) {
    throw new Error(
      'cannot set up websocket clients (message size, send limit, heartbeat): the graphql-ws server is no longer at ' +
        'GraphQLModule.graphQlAdapter._subscriptionService.wss (see websocket-message-size.ts)',
    );
  }
  return server;
}

/**
 * Caps every frame and every message on graphql-ws sockets at `maxBytes`; a bigger one closes the
 * socket with 1009 ("Message too big") before it is buffered whole. `ws` reads
 * `options.maxPayload` in `handleUpgrade`, for each new socket (graphql-ws's `useServer` sets
 * `options.handleProtocols` the same way), so this must run before the server accepts sockets.
 * This bounds `connection_init` (its connectionParams are read before authentication) as well as
 * `subscribe` messages.
 */
export function limitWebSocketMessages(graphql: GraphQLModule, maxBytes: number): void {
  graphqlWebSocketServer(graphql).options.maxPayload = maxBytes;
}

/**
 * Applies the HTTP body limit (MAX_BODY_BYTES) to websocket messages, once GraphQLModule has
 * started its driver (in its onModuleInit) and before `listen`.
 */
@Injectable()
export class WebSocketMessageSize implements OnApplicationBootstrap {
  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    limitWebSocketMessages(this.moduleRef.get(GraphQLModule, { strict: false }), MAX_BODY_BYTES);
  }
}

/** Import next to GraphQLModule to limit the size of its websocket messages. */
@Module({ providers: [WebSocketMessageSize] })
export class WebSocketMessageSizeModule {}
