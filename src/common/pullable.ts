/**
 * A subscription's stream that can also hand over its next result without a promise.
 *
 * A dashboard's subscription waits for its next event between events; as an async iterator that
 * wait is a promise per layer (the feed, the token check, the shared execution, the writer), and
 * with 2,000 dashboards those promises, their callbacks and their results are made again on
 * every event and live until the next one, so that every young-generation collection in between
 * copies them (BENCHMARKS.md's fan-out). `pull` hands the next result to `deliver`: at once
 * when one is waiting, else when it comes; or the failure to `fail`. One pull at a time: the
 * next only once `deliver` or `fail` was called. `next()` still works, for every other reader.
 */
export interface Pullable<T> {
  pull(deliver: (result: IteratorResult<T>) => void, fail: (error: unknown) => void): void;
}

export function isPullable<T>(
  iterator: AsyncIterator<T>,
): iterator is AsyncIterator<T> & Pullable<T> {
  return typeof (iterator as Partial<Pullable<T>>).pull === 'function';
}

/**
 * The `pull` of a layer over `source` (a mapping, a check) whose `next` is
 * `source.next().then(map)`: each result of the source goes through the same `map`, whose value
 * or promise is handed to `deliver` or its failure to `fail`; a throw fails. The callers'
 * callbacks are kept between pulls, not closed over per event.
 */
export function pullThrough<S, T>(
  source: Pullable<S>,
  map: (result: IteratorResult<S>) => IteratorResult<T> | Promise<IteratorResult<T>>,
): Pullable<T>['pull'] {
  let deliver: (result: IteratorResult<T>) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const mapped = (result: IteratorResult<S>): void => {
    try {
      const next = map(result);
      if (next instanceof Promise) next.then(deliver, fail);
      else deliver(next);
    } catch (error) {
      fail(error);
    }
  };
  const failed = (error: unknown): void => fail(error);
  return (onResult, onError) => {
    deliver = onResult;
    fail = onError;
    source.pull(mapped, failed);
  };
}
