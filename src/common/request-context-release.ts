import { Injectable, type NestMiddleware } from '@nestjs/common';
import { storage } from 'nestjs-pino/storage';

/** The part of a response used here. */
interface Finishing {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Turns nestjs-pino's AsyncLocalStorage off whenever no HTTP request is being served.
 *
 * nestjs-pino keeps each request's logger (its reqId) in an AsyncLocalStorage. On Node 20, once a
 * storage has run, every promise the process makes calls the async hooks that carry the store
 * along, request or not; the websocket fan-out makes about twenty promises per subscriber and
 * event, and those hooks were a sixth of the daemon's time while 2,000 dashboards followed a job.
 * The store only matters while a request is served: after the last response closes the storage
 * is disabled (the hooks go off, as Node's own `exit` does for its callback) and the next
 * request's `run` enables it again. A line logged after its request's response closed has no
 * reqId; background work never had one (outside-request.ts).
 */
@Injectable()
export class RequestContextRelease implements NestMiddleware {
  private serving = 0;

  use(_req: unknown, res: Finishing, next: () => void): void {
    this.serving++;
    res.once('close', () => {
      this.serving--;
      if (this.serving === 0) storage.disable();
    });
    next();
  }
}
