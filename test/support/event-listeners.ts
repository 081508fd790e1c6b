import { EVENT_LISTENER_METADATA } from '@nestjs/event-emitter/dist/constants';
import type { EventEmitter2 } from '@nestjs/event-emitter';

/**
 * Subscribes the @OnEvent methods of objects built by hand, as EventEmitterModule does for
 * providers at bootstrap, so that a unit test can wire triggers and listeners without Nest.
 * Returns a function that unsubscribes them.
 */
export function listenAsNest(emitter: EventEmitter2, ...instances: object[]): () => void {
  const subscriptions: [string, (...args: unknown[]) => unknown][] = [];
  for (const instance of instances) {
    for (
      let proto = Object.getPrototypeOf(instance) as object | null;
      proto && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto) as object | null
    ) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        const method = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
        if (typeof method !== 'function') continue;
        const metadata = Reflect.getMetadata(EVENT_LISTENER_METADATA, method) as
          { event: string }[] | undefined;
        for (const { event } of metadata ?? []) {
          const listener = (...args: unknown[]) =>
            (method as (...a: unknown[]) => unknown).apply(instance, args);
          emitter.on(event, listener);
          subscriptions.push([event, listener]);
        }
      }
    }
  }
  return () => {
    for (const [event, listener] of subscriptions) emitter.off(event, listener);
  };
}
