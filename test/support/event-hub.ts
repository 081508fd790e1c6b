import type { Pullable } from '../../src/common/pullable';

type Tick = { tick: object };

/**
 * A subscription source for specs of the graphql-ws hooks: it hands the same event object to every
 * subscriber, as JobEvents does, and counts who follows it. `follow(true)` is Pullable as well, as
 * the job feeds are: an event then reaches a waiting `pull` within `publish`.
 */
export class EventHub {
  private readonly listeners = new Set<(event: object) => void>();
  follow(pullable = false): AsyncIterableIterator<Tick> & Partial<Pullable<Tick>> {
    const queue: object[] = [];
    let taker: ((result: IteratorResult<Tick>) => void) | undefined;
    const listener = (event: object) => {
      const take = taker;
      taker = undefined;
      if (take) take({ done: false, value: { tick: event } });
      else queue.push(event);
    };
    this.listeners.add(listener);
    const listeners = this.listeners;
    const pull = (deliver: (result: IteratorResult<Tick>) => void) => {
      if (queue.length) deliver({ done: false, value: { tick: queue.shift()! } });
      else taker = deliver;
    };
    return {
      next: () => new Promise((resolve) => pull(resolve)),
      ...(pullable ? { pull } : {}),
      return() {
        listeners.delete(listener);
        return Promise.resolve({ done: true as const, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
  publish(event: object): void {
    for (const listener of this.listeners) listener(event);
  }
  get size(): number {
    return this.listeners.size;
  }
}
