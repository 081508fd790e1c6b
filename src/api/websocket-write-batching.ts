import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { graphqlWebSocketServer } from './websocket-message-size';

/** The parts of a `ws` WebSocket used here: its send, and the TCP socket under it. */
interface SocketLike {
  send(...args: unknown[]): void;
  _socket?: { cork(): void; uncork(): void };
}

interface ServerLike {
  on(event: 'connection', listener: (socket: SocketLike) => void): unknown;
}

/**
 * Writes what one client is sent within a turn of the event loop in one go. A job's start is
 * two versions published together (QUEUED, then RUNNING when a slot is free); each subscriber's
 * messages for both are made in the same run of promise callbacks, and each went out in its own
 * write system call. Here the first send of a turn corks the client's TCP socket and
 * process.nextTick, which runs once the promise callbacks of the turn are all done, uncorks it:
 * the messages leave in one writev. A client sent one message a turn sees no difference.
 */
export function batchWebSocketWrites(server: ServerLike): void {
  server.on('connection', (socket) => {
    const tcp = socket._socket;
    if (!tcp) return;
    const send = socket.send.bind(socket);
    let corked = false;
    const uncork = () => {
      corked = false;
      tcp.uncork();
    };
    socket.send = (...args: unknown[]) => {
      if (!corked) {
        corked = true;
        tcp.cork();
        process.nextTick(uncork);
      }
      send(...args);
    };
  });
}

/** Applies batchWebSocketWrites to the graphql-ws server, before `listen`. */
@Injectable()
export class WebSocketWriteBatching implements OnApplicationBootstrap {
  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    const server = graphqlWebSocketServer(this.moduleRef.get(GraphQLModule, { strict: false }));
    batchWebSocketWrites(server as unknown as ServerLike);
  }
}

/** Import next to GraphQLModule to send each client a turn's messages in one write. */
@Module({ providers: [WebSocketWriteBatching] })
export class WebSocketWriteBatchingModule {}
