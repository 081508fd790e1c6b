import { Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { graphqlWebSocketServer } from './websocket-message-size';

/** Bytes waiting to be sent to one socket below which a send does not wait for the network. */
export const SEND_BUFFER_SOFT_BYTES = 1024 * 1024;
/** How long a socket may stay above that before its client is told to go and is dropped. */
export const SEND_STALL_MS = 5000;
/** 1008 (policy violation): the client is not refused for its request but for not reading. */
export const SLOW_CLIENT_CLOSE_CODE = 1008;

/** The parts of a `ws` WebSocket used here. */
interface SocketLike {
  bufferedAmount: number;
  readyState: number;
  send(data: unknown, options?: unknown, callback?: (error?: Error) => void): void;
  close(code: number, reason: string): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

interface ServerLike {
  on(event: 'connection', listener: (socket: SocketLike) => void): unknown;
}

/**
 * Bounds what one graphql-ws client can make the daemon hold. SubscriptionWriter (as graphql-ws
 * did) waits for each message to reach the network before it sends the subscription's next one;
 * a client that stops reading
 * would then hold its events queued in the daemon for as long as it stays connected. Here a send
 * returns at once while less than `softBytes` wait for that socket (a client that keeps up costs
 * no waiting per message), waits for the network above it (bursts such as a log replay are
 * paced by the client), and a socket that stays above it for `stallMs` is closed with 1008 and a
 * reason, then dropped: its buffers and queued events are freed.
 */
export function limitSendBuffers(
  server: ServerLike,
  options: { softBytes?: number; stallMs?: number; onSlowClient?: (buffered: number) => void } = {},
): void {
  const softBytes = options.softBytes ?? SEND_BUFFER_SOFT_BYTES;
  const stallMs = options.stallMs ?? SEND_STALL_MS;
  server.on('connection', (socket) => {
    const send = socket.send.bind(socket);
    let stall: NodeJS.Timeout | undefined;
    const dropIfStillFull = () => {
      stall = undefined;
      if (socket.bufferedAmount <= softBytes) return;
      options.onSlowClient?.(socket.bufferedAmount);
      socket.close(
        SLOW_CLIENT_CLOSE_CODE,
        `the client read too slowly: over ${softBytes} bytes waited ${stallMs} ms to be sent`,
      );
      // the close frame waits behind the unread data: do not wait for the client's answer
      setTimeout(() => socket.terminate(), 1000).unref();
    };
    socket.once('close', () => clearTimeout(stall));
    socket.send = (data: unknown, ...rest: unknown[]) => {
      const callback =
        typeof rest[rest.length - 1] === 'function'
          ? (rest.pop() as (error?: Error) => void)
          : undefined;
      const sendOptions = rest[0] ?? {};
      if (socket.bufferedAmount < softBytes) {
        send(data, sendOptions, () => undefined);
        callback?.();
        return;
      }
      stall ??= setTimeout(dropIfStillFull, stallMs);
      // once the socket is dropped graphql-ws learns it from the close, not from a failed send
      send(data, sendOptions, () => callback?.());
    };
  });
}

/** Applies limitSendBuffers to the graphql-ws server, before `listen`. */
@Injectable()
export class WebSocketSendLimit implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebSocket');

  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    const server = graphqlWebSocketServer(this.moduleRef.get(GraphQLModule, { strict: false }));
    limitSendBuffers(server as unknown as ServerLike, {
      onSlowClient: (buffered) =>
        this.logger.warn({
          msg: `a websocket client that stopped reading was disconnected (${buffered} bytes unsent)`,
          buffered,
        }),
    });
  }
}

/** Import next to GraphQLModule to bound what slow graphql-ws clients hold. */
@Module({ providers: [WebSocketSendLimit] })
export class WebSocketSendLimitModule {}
