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
 * The `pull` of a layer over `source` (a mapping, a check): each result of the source goes
 * through `step`, which hands the layer's result to `deliver` or a failure to `fail`; a throw
 * in it fails. The callers' callbacks are kept between pulls, not closed over per event.
 */
export function pullEach<S, T>(
  source: Pullable<S>,
  step: (
    result: IteratorResult<S>,
    deliver: (result: IteratorResult<T>) => void,
    fail: (error: unknown) => void,
  ) => void,
): Pullable<T>['pull'] {
  let deliver: (result: IteratorResult<T>) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const stepped = (result: IteratorResult<S>): void => {
    try {
      step(result, deliver, fail);
    } catch (error) {
      fail(error);
    }
  };
  const failed = (error: unknown): void => fail(error);
  return (onResult, onError) => {
    deliver = onResult;
    fail = onError;
    source.pull(stepped, failed);
  };
}
