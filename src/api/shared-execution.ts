import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  createSourceEventStream,
  execute,
  print,
} from 'graphql';
import { isPullable, pullThrough, type Pullable } from '../common/pullable';
import { isAsyncIterable } from './async-iterable';

/**
 * graphql-ws's `subscribe` hook (ServerOptions.subscribe, passed through @nestjs/graphql's
 * `subscriptions['graphql-ws']`), sharing the work of an event among the subscribers that asked
 * for the same thing.
 *
 * Each subscriber keeps its own source stream (its resolver, guards and revocation, the current
 * state first, its filter), as graphql's own `subscribe` does. What is shared is the execution of
 * each event against the selection: subscribers with the same document, variables, operation and
 * token who receive the same event object (JobEvents publishes one snapshot to all of them) get
 * one execution and the very same result object. Results are kept with the event object (a
 * WeakMap): PacedPubSub hands one event to its subscribers over several turns of the event loop,
 * and JobEvents publishes a new copy of the job for each version, never the same object twice.
 * A field that reads something else than the version (a job's `logs`) is therefore as it was
 * when the first subscriber of the selection got that version.
 */
export class SharedExecution {
  /** Executions of an event against a selection (the cost fan-out is about), for tests. */
  executions = 0;
  private readonly byEvent = new WeakMap<object, Map<string, SharedResult>>();

  constructor(private readonly run: typeof execute = execute) {}

  readonly subscribe = async (
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = selectionKey(args);
    const events = source[Symbol.asyncIterator]() as AsyncIterableIterator<unknown>;
    return mapEvents(events, (event) => this.executeShared(args, key, event));
  };

  /** The result of `event` for the selection: the shared one, as soon as it is there. */
  private executeShared(
    args: ExecutionArgs,
    key: string,
    event: unknown,
  ): ExecutionResult | Promise<ExecutionResult> {
    const identity = eventIdentity(event);
    if (!identity) return this.execute(args, event);
    let byKey = this.byEvent.get(identity);
    if (!byKey) {
      byKey = new Map();
      this.byEvent.set(identity, byKey);
    }
    let shared = byKey.get(key);
    if (!shared) {
      const result = this.execute(args, event);
      const entry: SharedResult =
        result instanceof Promise
          ? { pending: result.then((settled) => (entry.settled = settled)) }
          : { settled: result };
      shared = entry;
      byKey.set(key, shared);
    }
    return shared.settled ?? shared.pending!;
  }

  /** The execution's result, as it is there: a selection with no asynchronous field has it at once. */
  private execute(args: ExecutionArgs, event: unknown): ExecutionResult | Promise<ExecutionResult> {
    this.executions++;
    try {
      return this.run({ ...args, rootValue: event });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/**
 * One execution shared by a selection's subscribers. Once it has settled, the others get the
 * result itself: a promise handed back from a promise callback costs each of them three more
 * microtasks, on every event.
 */
interface SharedResult {
  readonly pending?: Promise<ExecutionResult>;
  settled?: ExecutionResult;
}

/**
 * Who asked for what: the principal (token name and role, so that a revoked token or a narrower
 * role never shares with another), the operation, the document and the variables.
 */
function selectionKey(args: ExecutionArgs): string {
  const auth = (args.contextValue as { auth?: { ok?: boolean; principal?: unknown } } | undefined)
    ?.auth;
  return JSON.stringify([
    auth?.ok ? auth.principal : null,
    args.operationName ?? null,
    printedOnce(args.document),
    args.variableValues ?? null,
  ]);
}

const printed = new WeakMap<DocumentNode, string>();

/** A document's text; subscribers of one document share it (SubscriptionDocuments). */
function printedOnce(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/**
 * The object an event stands for: a feed wraps each published snapshot in its own
 * `{ fieldName: snapshot }`, so the snapshot inside is what subscribers have in common.
 */
function eventIdentity(event: unknown): object | null {
  if (typeof event !== 'object' || event === null) return null;
  const values = Object.values(event);
  return values.length === 1 && typeof values[0] === 'object' && values[0] !== null
    ? (values[0] as object)
    : null;
}

/**
 * `source` with each event mapped; returning (unsubscribing) returns the source. Pullable when
 * the source is: an event whose result is there is then handed over without a promise.
 */
function mapEvents<T, R>(
  source: AsyncIterableIterator<T>,
  map: (event: T) => R | Promise<R>,
): AsyncIterableIterator<R> & Partial<Pullable<R>> {
  const done: IteratorResult<R> = { done: true, value: undefined };
  const mapped = (next: IteratorResult<T>): IteratorResult<R> | Promise<IteratorResult<R>> => {
    if (next.done) return done;
    const value = map(next.value);
    return value instanceof Promise
      ? value.then((v) => ({ done: false, value: v }))
      : { done: false, value };
  };
  // plain promise chains, not async functions: this runs for every subscriber on every event
  return {
    next: () => source.next().then(mapped),
    ...(isPullable(source) ? { pull: pullThrough(source, mapped) } : {}),
    return: async (): Promise<IteratorResult<R>> => {
      await source.return?.();
      return done;
    },
    throw: async (error: unknown): Promise<IteratorResult<R>> => {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
