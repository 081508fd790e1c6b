/** Whether `value` can be iterated with `for await` (a subscription's stream, as graphql gives it). */
export function isAsyncIterable<T = unknown>(value: unknown): value is AsyncIterable<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}
