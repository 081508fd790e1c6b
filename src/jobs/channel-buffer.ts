import type { PubSubEngine } from 'graphql-subscriptions';

export interface ChannelEvent {
  channel: string;
  payload: unknown;
}

export const CLOSED = Symbol('closed');

/**
 * Events of some PubSub channels, in the order they were published, kept from the moment the
 * buffer is made until they are taken. Made before a feed reads the current state, so that
 * nothing published meanwhile is lost (the feed then drops what it already sent).
 */
export class ChannelBuffer {
  private readonly items: ChannelEvent[] = [];
  private readonly subscriptions: Promise<number>[];
  private wake?: () => void;
  private closed = false;

  constructor(
    private readonly pubSub: PubSubEngine,
    channels: string[],
  ) {
    // The in-memory PubSubs (PacedPubSub, graphql-subscriptions') register their listener
    // before subscribe() returns.
    this.subscriptions = channels.map((channel) =>
      pubSub.subscribe(channel, (payload: unknown) => this.push({ channel, payload }), {}),
    );
  }

  /** The next event, waiting for one; CLOSED once the buffer is closed. */
  async next(): Promise<ChannelEvent | typeof CLOSED> {
    while (!this.items.length) {
      if (this.closed) return CLOSED;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.items.shift()!;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.items.length = 0;
    this.wake?.();
    for (const id of this.subscriptions)
      void id.then((n) => {
        this.pubSub.unsubscribe(n);
      });
  }

  private push(event: ChannelEvent): void {
    if (this.closed) return;
    this.items.push(event);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * An async iterator over `events`, whose `return` (a client unsubscribing) closes the buffer
 * first: an async generator waiting on its buffer would otherwise not see the return request
 * until the next event, and stay subscribed until then.
 */
export function feedOf<T>(
  buffer: ChannelBuffer,
  events: AsyncGenerator<T>,
): AsyncIterableIterator<T> {
  return {
    next: () => events.next(),
    return: async () => {
      buffer.close();
      return events.return(undefined);
    },
    throw: async (error: unknown) => {
      buffer.close();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
