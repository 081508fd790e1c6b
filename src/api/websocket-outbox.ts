import { Injectable, Logger } from '@nestjs/common';

/** Bytes waiting to be sent to one socket below which a send does not wait for the network. */
export const SEND_BUFFER_SOFT_BYTES = 1024 * 1024;
/** How long a socket may stay above that before its client is told to go and is dropped. */
export const SEND_STALL_MS = 5000;
/** 1008 (policy violation): the client is not refused for its request but for not reading. */
export const SLOW_CLIENT_CLOSE_CODE = 1008;

/** The TCP (or TLS) socket under a `ws` WebSocket: the parts written to here. */
interface TcpSocket {
  write(data: Buffer, callback?: (error?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
}

/** The parts of a `ws` WebSocket used here. */
export interface OutboxSocket {
  readonly OPEN: number;
  readonly readyState: number;
  /** counts what waits in the TCP socket's buffer, so the frames written past ws too */
  readonly bufferedAmount: number;
  send(data: unknown, options?: unknown, callback?: (error?: Error) => void): void;
  close(code: number, reason: string): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

export interface OutboxOptions {
  softBytes?: number;
  stallMs?: number;
  onSlowClient?: (buffered: number) => void;
}

/**
 * Everything the daemon sends one graphql-ws client goes out through here: graphql-ws's own
 * messages (its `send` calls on the socket, replaced) and the subscription results
 * SubscriptionWriter writes (`sendText`). It does three things for both.
 *
 * - It bounds what the client can make the daemon hold. SubscriptionWriter, as graphql-ws did,
 *   waits for a message to be taken before it sends the subscription's next one; a client that
 *   stops reading would then hold its events queued in the daemon for as long as it stays
 *   connected. A send is taken at once while less than `softBytes` wait for the socket (a client
 *   that keeps up costs no waiting per message), waits for the network above it (bursts such as a
 *   log replay are paced by the client), and a socket that stays above it for `stallMs` is closed
 *   with 1008 and a reason, then dropped: its buffers and queued events are freed.
 * - It writes what the client is sent within one turn of the event loop in one go. A job's start
 *   is two versions published together (QUEUED, then RUNNING when a slot is free), and each
 *   subscriber's messages for both are made in the same run of promise callbacks; the first send
 *   of a turn corks the TCP socket and process.nextTick, which runs once the turn's promise
 *   callbacks are all done, uncorks it: the messages leave in one writev.
 * - `sendText` writes a whole text frame (its header, then the message's parts) to the TCP socket
 *   itself, past ws's Sender and `send`: for 2,000 dashboards on one job, ws's per-message
 *   options, buffers and callbacks were about a fifth of the daemon's CPU per job version
 *   (measured in BENCHMARKS.md's fan-out). This is the frame ws would write: the daemon's
 *   server offers no permessage-deflate (GraphqlWsServer turns it off), and ws queues a message
 *   only while it compresses or reads a Blob (graphql-ws sends strings, pings carry no data),
 *   so ws writes each message of its own (pings, `complete`, a close) synchronously too, and
 *   the two kinds keep their order on the socket; `bufferedAmount` reads the TCP socket's buffer, so the limit sees
 *   both kinds.
 */
export class WebSocketOutbox {
  private readonly tcp: TcpSocket;
  private readonly softBytes: number;
  private readonly stallMs: number;
  private stall?: NodeJS.Timeout;
  private corked = false;

  constructor(
    private readonly socket: OutboxSocket,
    private readonly options: OutboxOptions = {},
  ) {
    const tcp = (socket as unknown as { _socket?: Partial<TcpSocket> })._socket;
    if (typeof tcp?.write !== 'function' || typeof tcp.cork !== 'function') {
      throw new Error(
        'cannot write to a websocket client: ws no longer keeps its TCP socket at _socket',
      );
    }
    this.tcp = tcp as TcpSocket;
    this.softBytes = options.softBytes ?? SEND_BUFFER_SOFT_BYTES;
    this.stallMs = options.stallMs ?? SEND_STALL_MS;
    socket.once('close', () => clearTimeout(this.stall));
    const send = socket.send.bind(socket);
    (socket as { send: OutboxSocket['send'] }).send = (data: unknown, ...rest: unknown[]) => {
      const callback =
        typeof rest[rest.length - 1] === 'function'
          ? (rest.pop() as (error?: Error) => void)
          : undefined;
      // once the socket is dropped graphql-ws learns it from the close, not from a failed send
      this.deliver(
        (written) => send(data, rest[0] ?? {}, () => written?.()),
        () => callback?.(),
      );
    };
  }

  /**
   * Sends the concatenation of `parts` as one text message; `taken` is called (at once while the
   * client keeps up) when the next message may be sent. The socket must be open.
   */
  sendText(parts: readonly Buffer[], taken: () => void): void {
    let length = 0;
    for (const part of parts) length += part.length;
    const frame = textFrame(length);
    let offset = frame.length - length;
    for (const part of parts) offset += part.copy(frame, offset);
    this.deliver(
      (written) => (written ? this.tcp.write(frame, () => written()) : this.tcp.write(frame)),
      taken,
    );
  }

  /**
   * Writes in this turn's batch; `taken` at once while the client keeps up, else once the
   * network has what `write` wrote (`written` is given to it only then).
   */
  private deliver(write: (written?: () => void) => void, taken: () => void): void {
    this.corkForTheTurn();
    if (this.keepsUp()) {
      write();
      taken();
    } else {
      write(taken);
    }
  }

  /** Whether the client keeps up; if not, its time to catch up starts. */
  private keepsUp(): boolean {
    if (this.socket.bufferedAmount < this.softBytes) {
      // caught up: a client must stay behind for the whole stall time to be dropped
      if (this.stall) {
        clearTimeout(this.stall);
        this.stall = undefined;
      }
      return true;
    }
    this.stall ??= setTimeout(this.dropIfStillFull, this.stallMs);
    return false;
  }

  private readonly dropIfStillFull = (): void => {
    this.stall = undefined;
    const buffered = this.socket.bufferedAmount;
    if (buffered < this.softBytes) return;
    this.options.onSlowClient?.(buffered);
    this.socket.close(
      SLOW_CLIENT_CLOSE_CODE,
      `the client read too slowly: over ${this.softBytes} bytes waited ${this.stallMs} ms to be sent`,
    );
    // the close frame waits behind the unread data: do not wait for the client's answer
    setTimeout(() => this.socket.terminate(), 1000).unref();
  };

  private corkForTheTurn(): void {
    if (this.corked) return;
    this.corked = true;
    this.tcp.cork();
    process.nextTick(this.uncork);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.tcp.uncork();
  };
}

/**
 * A server-to-client (unmasked), final text frame for a payload of `length` bytes: its header
 * written, the payload's bytes after it left to fill.
 */
export function textFrame(length: number): Buffer {
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  return frame;
}

/** The outbox of each graphql-ws client, opened as it connects (GraphqlWsServer's set-ups). */
@Injectable()
export class WebSocketOutboxes {
  private readonly logger = new Logger('WebSocket');
  private readonly outboxes = new WeakMap<object, WebSocketOutbox>();

  /** A set-up for GraphqlWsServer: run as each client connects, before graphql-ws sees it. */
  readonly open = (socket: OutboxSocket): void => {
    this.outboxes.set(
      socket,
      new WebSocketOutbox(socket, {
        onSlowClient: (buffered) =>
          this.logger.warn({
            msg: `a websocket client that stopped reading was disconnected (${buffered} bytes unsent)`,
            buffered,
          }),
      }),
    );
  };

  of(socket: object): WebSocketOutbox | undefined {
    return this.outboxes.get(socket);
  }
}
