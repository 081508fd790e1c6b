import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';

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
 * the order they came in. One timer for all of them, set for the next turn that has clients.
 */
export class Heartbeat {
  private readonly turns: Set<Beating>[];
  /** Clock time at which turn `n` of the endless sequence of turns is due: origin + n × turnMs. */
  private origin = 0;
  /** the next turn of the sequence to run (its set is turns[next % turns.length]) */
  private next = 0;
  private armed?: { turn: number; cancel: () => void };
  private stopped = false;

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
    // after a quiet spell the sequence goes on from now: the next turn is one turn away
    if (this.clients === 0) this.origin = this.clock.now() - (this.next - 1) * this.turnMs;
    const beating: Beating = { socket, unanswered: false };
    const turn = this.quietestTurn();
    turn.add(beating);
    socket.on('pong', () => {
      beating.unanswered = false;
    });
    socket.once('close', () => {
      turn.delete(beating);
      this.arm();
    });
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private disarm(): void {
    this.armed?.cancel();
    this.armed = undefined;
  }

  /**
   * A timer for the next turn that has clients, none when no turn has: the daemon wakes once
   * for each turn it pings in, not four times a second for one dashboard.
   */
  private arm(): void {
    const count = this.turns.length;
    let due: number | undefined;
    for (let turn = this.next; turn < this.next + count; turn++) {
      if (this.turns[turn % count].size) {
        due = turn;
        break;
      }
    }
    if (this.armed?.turn === due) return;
    this.disarm();
    // a client closing after the daemon stopped pinging does not start it again
    if (due === undefined || this.stopped) return;
    const turn = due;
    const wait = Math.max(0, this.origin + turn * this.turnMs - this.clock.now());
    this.armed = { turn, cancel: this.clock.setTimeout(() => this.run(turn), wait) };
  }

  private run(turn: number): void {
    this.armed = undefined;
    this.next = turn + 1;
    for (const beating of this.turns[turn % this.turns.length]) {
      const { socket } = beating;
      // a socket closing (terminated on an earlier turn, or by its client) leaves at its close
      if (socket.readyState !== socket.OPEN) continue;
      if (beating.unanswered) {
        socket.terminate();
        this.onDropped();
        continue;
      }
      beating.unanswered = true;
      socket.ping();
    }
    this.arm();
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

/** A Heartbeat for the graphql-ws server's clients (a set-up of GraphqlWsServer). */
@Injectable()
export class WebSocketHeartbeat implements OnApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private readonly heartbeat: Heartbeat;

  constructor(clock: Clock) {
    this.heartbeat = new Heartbeat(clock, () =>
      this.logger.log('a websocket client that did not answer a ping was disconnected'),
    );
  }

  /** A set-up for GraphqlWsServer: the client is pinged from now on. */
  readonly add = (socket: HeartbeatSocket): void => this.heartbeat.add(socket);

  onApplicationShutdown(): void {
    this.heartbeat.stop();
  }
}
