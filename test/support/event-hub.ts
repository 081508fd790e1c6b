/**
 * A subscription source for specs of the graphql-ws hooks: it hands the same event object to every
 * subscriber, as JobEvents does, and counts who follows it.
 */
export class EventHub {
  private readonly listeners = new Set<(event: object) => void>();
  follow(): AsyncIterableIterator<{ tick: object }> {
    const queue: object[] = [];
    let wake: (() => void) | undefined;
    const listener = (event: object) => {
      queue.push(event);
      wake?.();
    };
    this.listeners.add(listener);
    const listeners = this.listeners;
    return {
      async next() {
        while (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
        return { done: false, value: { tick: queue.shift()! } };
      },
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
