import { Logger } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';

/**
 * Listeners handed their events per turn of the event loop: 5–10 ms of work when each is a
 * graphql-ws subscriber (its execution shared; its own message and socket write). Measured with
 * 2,000 subscribers (BENCHMARKS.md): 250 and 500 gave a median delivery 15 ms sooner than
 * handing everyone the event in one turn; 100 and 200 no better.
 */
export const LISTENERS_PER_TURN = 250;

/** One published event, until every listener it was published to has been handed it. */
interface Publication {
  readonly payload: unknown;
  unserved: number;
  readonly served: () => void;
}

interface Listener {
  readonly channel: string;
  readonly onMessage: (payload: unknown) => void;
  /** Published to it and not handed over yet, oldest first. */
  pending: Publication[];
  /** In the queue of listeners waiting for their turn. */
  waiting: boolean;
  gone: boolean;
}

/**
 * The in-process event bus behind the subscriptions: graphql-subscriptions' PubSub, paced.
 *
 * That PubSub hands an event to every listener at once, inside the publisher's call: with two
 * thousand dashboards subscribed the daemon spent the next 50–100 ms on that one event, and a
 * job's next version (a job ends in three versions within 15 ms) waited behind all of it, then
 * the third behind the second. Here publishing only queues the event for each listener of its
 * channel; listeners are handed what they have `perTurn` at a time, in the order they started
 * waiting, one batch per turn of the event loop. Versions published in the meantime reach a
 * listener not served yet in the same hand-over (a job feed then keeps the newest when no state
 * change is lost, see JobVersionConflation); between batches the daemon reads restic's output
 * and answers requests, and the first subscribers' messages are on their way while the later
 * ones are made. Each listener gets its events in the order they were published; none is handed
 * an event published before it subscribed. As with graphql-subscriptions' PubSub, `publish`
 * resolves once every listener has been handed the event (one that left meanwhile counts as
 * handed), here in the turn after the last hand-over, once what it set off within that turn is
 * written: a job waits for that before restic starts (see inRepositoryStep).
 */
export class PacedPubSub extends PubSubEngine {
  private readonly logger = new Logger('PubSub');
  private readonly byChannel = new Map<string, Set<Listener>>();
  private readonly byId = new Map<number, Listener>();
  private nextId = 1;
  private waiting: Listener[] = [];
  private scheduled = false;

  constructor(
    private readonly perTurn = LISTENERS_PER_TURN,
    private readonly nextTurn: (serve: () => void) => void = setImmediate,
    /** the turn after a publication's last hand-over, when it counts as handed over */
    private readonly afterHandOver: (handedOver: () => void) => void = setImmediate,
  ) {
    super();
  }

  publish(channel: string, payload: unknown): Promise<void> {
    const listeners = this.byChannel.get(channel);
    if (!listeners?.size) return Promise.resolve();
    let served!: () => void;
    // resolved a turn later: the last listeners' messages are made in the microtasks of the turn
    // that hands them the event and written when it ends, and work waiting for the hand-over
    // (restic's start, whose fork blocks the daemon for tens of ms with 2,000 sockets open) held
    // the last batch back when it ran in that same turn
    const handedOver = new Promise<void>((resolve) => (served = () => this.afterHandOver(resolve)));
    const publication: Publication = { payload, unserved: listeners.size, served };
    for (const listener of listeners) {
      listener.pending.push(publication);
      if (!listener.waiting) {
        listener.waiting = true;
        this.waiting.push(listener);
      }
    }
    this.schedule();
    return handedOver;
  }

  subscribe(
    channel: string,
    onMessage: (payload: unknown) => void,
    _options: object = {},
  ): Promise<number> {
    const listener: Listener = { channel, onMessage, pending: [], waiting: false, gone: false };
    const id = this.nextId++;
    this.byId.set(id, listener);
    let listeners = this.byChannel.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.byChannel.set(channel, listeners);
    }
    listeners.add(listener);
    return Promise.resolve(id);
  }

  unsubscribe(id: number): void {
    const listener = this.byId.get(id);
    if (!listener) return;
    this.byId.delete(id);
    listener.gone = true;
    listener.pending.forEach(handedOne);
    listener.pending = [];
    const listeners = this.byChannel.get(listener.channel);
    listeners?.delete(listener);
    if (listeners?.size === 0) this.byChannel.delete(listener.channel);
  }

  private schedule(): void {
    if (this.scheduled || !this.waiting.length) return;
    this.scheduled = true;
    this.nextTurn(this.serve);
  }

  private readonly serve = (): void => {
    this.scheduled = false;
    const batch = this.waiting.splice(0, this.perTurn);
    for (const listener of batch) {
      listener.waiting = false;
      const publications = listener.pending;
      listener.pending = [];
      for (const publication of publications) {
        // after a listener unsubscribed (from its own onMessage), the rest count as handed
        if (!listener.gone) {
          try {
            listener.onMessage(publication.payload);
          } catch (error) {
            this.logger.error({ msg: 'a subscription listener failed', error: printable(error) });
          }
        }
        handedOne(publication);
      }
    }
    this.schedule();
  };
}

function handedOne(publication: Publication): void {
  if (--publication.unserved === 0) publication.served();
}

/** A thrown value as text, even one whose toString throws (the rest of the batch must go on). */
function printable(error: unknown): string {
  try {
    return String(error);
  } catch {
    return 'a value that cannot be printed';
  }
}
