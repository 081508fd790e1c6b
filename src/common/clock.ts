import { Injectable, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

type TimerKind = 'timeout' | 'interval';

/**
 * The one way code reads time or waits, so that tests can drive time with a fake.
 *
 * A timer given a name is also registered in @nestjs/schedule's SchedulerRegistry while it is
 * armed (schedules as `schedule backup:pictures`, watchers' waits, job deadlines), so the daemon's
 * timers can be listed and stopped by name. The clock stays the one injectable seam: the registry
 * holds real Node timer handles and clears them itself, which a fake clock cannot offer, so
 * registering is the clock's job rather than the callers'.
 */
@Injectable()
export class Clock {
  constructor(@Optional() private readonly registry?: SchedulerRegistry) {}

  now(): number {
    return Date.now();
  }

  /** Runs `fn` after `ms`; the returned function cancels it. */
  setTimeout(fn: () => void, ms: number, name?: string): () => void {
    const entry: { name?: string } = {};
    const handle = setTimeout(() => {
      this.unregister('timeout', entry.name, handle);
      fn();
    }, ms);
    handle.unref?.();
    entry.name = this.register('timeout', name, handle);
    return () => {
      clearTimeout(handle);
      this.unregister('timeout', entry.name, handle);
    };
  }

  /** Runs `fn` every `ms`; the returned function stops it. */
  setInterval(fn: () => void, ms: number, name?: string): () => void {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    const registered = this.register('interval', name, handle);
    return () => {
      clearInterval(handle);
      this.unregister('interval', registered, handle);
    };
  }

  /** Registers under `name`, or `name #2`... while another timer holds it; returns the name used. */
  private register(kind: TimerKind, name: string | undefined, handle: NodeJS.Timeout) {
    if (!this.registry || name === undefined) return undefined;
    let unique = name;
    for (let n = 2; this.registry.doesExist(kind, unique); n++) unique = `${name} #${n}`;
    if (kind === 'timeout') this.registry.addTimeout(unique, handle);
    else this.registry.addInterval(unique, handle);
    return unique;
  }

  private unregister(kind: TimerKind, name: string | undefined, handle: NodeJS.Timeout): void {
    if (!this.registry || name === undefined || !this.registry.doesExist(kind, name)) return;
    // only this timer's entry: the name may have been taken again since
    if (kind === 'timeout') {
      if (this.registry.getTimeout(name) === handle) this.registry.deleteTimeout(name);
    } else if (this.registry.getInterval(name) === handle) {
      this.registry.deleteInterval(name);
    }
  }
}
