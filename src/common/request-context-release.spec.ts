import { EventEmitter } from 'node:events';
import { Store, storage } from 'nestjs-pino/storage';
import type { Logger } from 'pino';
import { RequestContextRelease } from './request-context-release';

describe('RequestContextRelease', () => {
  const logger = (reqId: string) => ({ reqId }) as unknown as Logger;
  /** A request through the middleware and then nestjs-pino's, as Nest chains them. */
  const serve = (release: RequestContextRelease, reqId: string) => {
    const res = new EventEmitter();
    let continuation!: Promise<unknown>;
    release.use({}, res, () =>
      storage.run(new Store(logger(reqId)), () => {
        // work the request left running: it reads the store a turn later
        continuation = new Promise((resolve) =>
          setImmediate(() => resolve(storage.getStore()?.logger)),
        );
      }),
    );
    return { close: () => res.emit('close'), continuation };
  };

  it('keeps the store while any request is served', async () => {
    const release = new RequestContextRelease();
    const first = serve(release, 'one');
    const second = serve(release, 'two');
    first.close();
    expect(await first.continuation).toEqual({ reqId: 'one' });
    expect(await second.continuation).toEqual({ reqId: 'two' });
    second.close();
  });

  it('turns the storage off once the last response closed, and the next request has its own store', async () => {
    const release = new RequestContextRelease();
    const first = serve(release, 'one');
    first.close();
    // what the closed request left running has no store any more
    expect(await first.continuation).toBeUndefined();
    const next = serve(release, 'two');
    expect(await next.continuation).toEqual({ reqId: 'two' });
    next.close();
  });
});
