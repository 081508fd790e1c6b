import type { ExecutionResult } from 'graphql';
import { isPullable } from '../common/pullable';
import { isAsyncIterable } from './async-iterable';

/** The parts of a `ws` WebSocket used here. */
interface OpenableSocket {
  readonly OPEN: number;
  readonly readyState: number;
}

/** Where a client's messages are sent (WebSocketOutbox). */
export interface TextSender {
  /** sends the parts as one text message; `taken` once the next one may be sent */
  sendText(parts: readonly Buffer[], taken: () => void): void;
}

/** Each client's TextSender, by its socket (WebSocketOutboxes). */
export interface TextSenders {
  of(socket: object): TextSender | undefined;
}

type Done = IteratorResult<never, undefined>;
const DONE: Done = Object.freeze({ done: true, value: undefined });

/**
 * Writes subscription results to their graphql-ws clients itself, each result's payload
 * serialised once however many subscribers receive it.
 *
 * graphql-ws sends a subscription's results from a `for await` loop: per result and subscriber
 * an async `emit.next`, its `onNext` hook awaited, a JSON.stringify of the whole message and a
 * promise around the socket's send. With 2,000 dashboards on one job that loop was most of the
 * daemon's JavaScript time per event (a CPU profile of one progress version). Here graphql-ws's
 * `onOperation` hook takes a subscription's result stream over: the stream graphql-ws iterates
 * yields nothing and ends when the results end (graphql-ws then sends `complete`) or fails as
 * they fail (graphql-ws sends `error`), while each result is written as soon as it is pulled:
 * `{"id":…,"type":"next","payload":…}`: the subscription's own start (its bytes made once),
 * then the payload's JSON in bytes, made the first time any subscriber needed it
 * (SharedExecution hands the subscribers of one selection the very same result object), so
 * that no subscriber's message is a string to build and encode; the client's outbox
 * (websocket-outbox.ts) writes the two as one frame. As graphql-ws did, the next result is
 * pulled once the message is taken: the outbox takes it at once while the client keeps up and
 * holds a client that fell behind, whose feed then keeps its versions waiting (and conflates
 * them).
 * Returning the stream (the client's `complete`, or its socket closing) stops the writing.
 */
export class SubscriptionWriter {
  /** Payloads serialised (the cost this saves is one per subscriber), for tests. */
  serialisations = 0;
  private readonly payloads = new WeakMap<ExecutionResult, Buffer>();

  constructor(private readonly senders: TextSenders) {}

  /** graphql-ws `onOperation`: a subscription's results, written here instead. */
  readonly onOperation = (
    ctx: { extra?: unknown },
    id: string,
    _payload: unknown,
    _args: unknown,
    result: unknown,
  ): AsyncIterableIterator<never> | undefined => {
    const socket = (ctx.extra as { socket?: OpenableSocket } | undefined)?.socket;
    if (!socket || !isAsyncIterable<ExecutionResult>(result)) return undefined;
    const sender = this.senders.of(socket);
    // every client of the daemon's server has one; graphql-ws writes for any other
    if (!sender) return undefined;
    return new WrittenResults(result[Symbol.asyncIterator](), socket, sender, id, (r) =>
      this.payload(r),
    );
  };

  /**
   * A result's `next` payload as graphql-ws would write it (errors through their toJSON), and
   * the `}` that closes the message, in bytes.
   */
  payload(result: ExecutionResult): Buffer {
    let bytes = this.payloads.get(result);
    if (bytes === undefined) {
      const { errors, ...rest } = result;
      const json = JSON.stringify({
        ...rest,
        ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}),
      });
      bytes = Buffer.from(`${json}}`);
      this.payloads.set(result, bytes);
      this.serialisations++;
    }
    return bytes;
  }
}

/**
 * One subscription's results being written; to graphql-ws, a stream that yields nothing.
 * Plain callbacks rather than an async loop: this runs for every subscriber on every event.
 * A stream that can hand its results over without a promise (Pullable: the job feeds) is
 * pulled that way; results waiting already are then written in a loop, not by recursion.
 */
class WrittenResults implements AsyncIterableIterator<never> {
  private readonly prefix: Buffer;
  private started = false;
  private stopped = false;
  /** in `pull`, whose loop asks for the next result once the one handed over was written */
  private pulling = false;
  private pullAgain = false;
  private settle?: { resolve: (done: Done) => void; reject: (error: unknown) => void };
  private readonly ended = new Promise<Done>((resolve, reject) => {
    this.settle = { resolve, reject };
  });

  constructor(
    private readonly results: AsyncIterator<ExecutionResult>,
    private readonly socket: OpenableSocket,
    private readonly sender: TextSender,
    id: string,
    private readonly payload: (result: ExecutionResult) => Buffer,
  ) {
    this.prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  }

  next(): Promise<Done> {
    if (!this.started) {
      this.started = true;
      this.pull();
    }
    return this.ended;
  }

  return(): Promise<Done> {
    if (!this.stopped) {
      this.stopped = true;
      this.settle?.resolve(DONE);
      stopIterating(this.results);
    }
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<Done> {
    void this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly pull = (): void => {
    if (this.pulling) {
      // a result handed over at once was written, and the next one is asked for in the loop
      this.pullAgain = true;
      return;
    }
    this.pulling = true;
    try {
      do {
        this.pullAgain = false;
        if (this.stopped) return;
        if (isPullable(this.results)) this.results.pull(this.write, this.fail);
        else this.results.next().then(this.write, this.fail);
      } while (this.pullAgain);
    } catch (error) {
      this.fail(error);
    } finally {
      this.pulling = false;
    }
  };

  private readonly write = (result: IteratorResult<ExecutionResult>): void => {
    if (this.stopped) return;
    if (result.done) {
      this.stopped = true;
      this.settle?.resolve(DONE);
      return;
    }
    // A socket closing (a client its outbox dropped) is not written to, nor read for: its
    // close makes graphql-ws return the stream. graphql-ws's own loop went on pulling results
    // and dropping them, each a promise callback, so that 200 replays of a long log stalled on
    // one socket were all read and executed in one run of microtasks, the event loop (and the
    // timer that ends the socket) waiting behind them: 30 s of CPU and 0.7 GB in a measurement.
    if (this.socket.readyState !== this.socket.OPEN) return;
    let sent = false;
    let waiting = false;
    try {
      this.sender.sendText([this.prefix, this.payload(result.value)], () => {
        sent = true;
        if (waiting) this.pull();
      });
    } catch (error) {
      // a result that cannot be written ends the subscription with an error, as in graphql-ws
      return this.fail(error);
    }
    if (sent) this.pull();
    else waiting = true;
  };

  private readonly fail = (error: unknown): void => {
    if (this.stopped) return;
    this.stopped = true;
    this.settle?.reject(error);
    stopIterating(this.results);
  };
}

/** Returns an iterator whose end nobody awaits; a failure there has no one to tell. */
function stopIterating(iterator: AsyncIterator<unknown>): void {
  void Promise.resolve(iterator.return?.()).catch(() => undefined);
}
