import {
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { Clock } from '../common/clock';
import { graphqlWebSocketServer } from './websocket-message-size';

/**
 * How often each client is pinged, and how long it has to answer: graphql-ws's own default, so
 * that proxies and clients see the traffic they saw before.
 */
export const HEARTBEAT_PERIOD_MS = 12_000;
/** The period is cut into turns this long; each client is pinged on its own turn. */
export const HEARTBEAT_TURN_MS = 250;

/** The parts of a `ws` WebSocket used here. */
export interface HeartbeatSocket {
  readonly OPEN: number;
  readonly readyState: number;
  ping(): void;
  terminate(): void;
  on(event: 'pong', listener: () => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

interface Beating {
  readonly socket: HeartbeatSocket;
  /** pinged on its last turn and not answered since */
  unanswered: boolean;
}

/**
 * Pings every websocket client once a period and drops a client that has not answered the
 * previous ping by its next turn, as graphql-ws's keep-alive did, but with the clients spread
 * over the period: graphql-ws gave each connection an interval of its own from the moment it
 * connected, so clients that connected together (every dashboard reconnecting after a restart)
 * were pinged together, and their pongs came back together, in the middle of the deliveries of
 * a job's versions. Here the period is cut into turns (HEARTBEAT_TURN_MS) and a new client joins
 * the turn with the fewest clients, the one furthest from now among those, so that 2,000 clients
 * connecting in the same second are pinged about 40 at a time, four times a second, whatever
 * the order they came in. One timer for all of them, armed only while there are clients.
 */
export class Heartbeat {
  private readonly turns: Set<Beating>[];
  /** the turn the next tick runs */
  private next = 0;
  private stopTimer?: () => void;

  constructor(
    private readonly clock: Clock,
    private readonly onDropped: () => void = () => undefined,
    periodMs = HEARTBEAT_PERIOD_MS,
    private readonly turnMs = HEARTBEAT_TURN_MS,
  ) {
    this.turns = Array.from(
      { length: Math.max(1, Math.round(periodMs / turnMs)) },
      () => new Set(),
    );
  }

  /** Clients being pinged, for tests. */
  get clients(): number {
    return this.turns.reduce((n, turn) => n + turn.size, 0);
  }

  add(socket: HeartbeatSocket): void {
    const beating: Beating = { socket, unanswered: false };
    const turn = this.quietestTurn();
    turn.add(beating);
    socket.on('pong', () => {
      beating.unanswered = false;
    });
    socket.once('close', () => {
      turn.delete(beating);
      if (this.clients === 0) this.stop();
    });
    this.stopTimer ??= this.clock.setInterval(() => this.tick(), this.turnMs);
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  private tick(): void {
    const turn = this.turns[this.next];
    this.next = (this.next + 1) % this.turns.length;
    for (const beating of turn) {
      const { socket } = beating;
      if (socket.readyState !== socket.OPEN) continue;
      if (beating.unanswered) {
        // its close event takes it off its turn
        socket.terminate();
        this.onDropped();
        continue;
      }
      beating.unanswered = true;
      socket.ping();
    }
  }

  /** The turn with the fewest clients; of those, the one whose tick comes last. */
  private quietestTurn(): Set<Beating> {
    const count = this.turns.length;
    let quietest = this.turns[(this.next + count - 1) % count];
    for (let back = 2; back <= count; back++) {
      const turn = this.turns[(this.next + count - back) % count];
      if (turn.size < quietest.size) quietest = turn;
    }
    return quietest;
  }
}

interface ServerLike {
  on(event: 'connection', listener: (socket: HeartbeatSocket) => void): unknown;
}

/** Runs a Heartbeat on the graphql-ws server's clients (see GraphqlWsServer). */
@Injectable()
export class WebSocketHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private readonly heartbeat: Heartbeat;

  constructor(
    private readonly moduleRef: ModuleRef,
    clock: Clock,
  ) {
    this.heartbeat = new Heartbeat(clock, () =>
      this.logger.log('a websocket client that did not answer a ping was disconnected'),
    );
  }

  onApplicationBootstrap(): void {
    const server = graphqlWebSocketServer(this.moduleRef.get(GraphQLModule, { strict: false }));
    (server as unknown as ServerLike).on('connection', (socket) => this.heartbeat.add(socket));
  }

  onApplicationShutdown(): void {
    this.heartbeat.stop();
  }
}

/** Import next to GraphQLModule: graphql-ws's clients are pinged, spread over the period. */
@Module({ providers: [WebSocketHeartbeat] })
export class WebSocketHeartbeatModule {}
