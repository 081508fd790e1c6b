import { Injectable } from '@nestjs/common';

/** The one way code reads time or waits, so that tests can drive time with a fake. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }

  /** Runs `fn` after `ms`; the returned function cancels it. */
  setTimeout(fn: () => void, ms: number): () => void {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return () => clearTimeout(handle);
  }

  /** Runs `fn` every `ms`; the returned function stops it. */
  setInterval(fn: () => void, ms: number): () => void {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return () => clearInterval(handle);
  }
}
