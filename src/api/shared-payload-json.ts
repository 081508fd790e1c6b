import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import { TurnMap } from './turn-map';

/** A result's `next` payload, as graphql-ws would write it, serialised at most once. */
class SharedPayload {
  private json?: string;

  constructor(
    readonly token: number,
    private readonly result: ExecutionResult,
    private readonly serialised: () => void,
  ) {}

  text(): string {
    if (this.json === undefined) {
      const { errors, ...rest } = this.result;
      // graphql-ws's own payload: errors through their toJSON, left out when there are none
      this.json = JSON.stringify({
        ...rest,
        ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}),
      });
      this.serialised();
    }
    return this.json;
  }
}

/** The parts of a `ws` WebSocket used here. */
interface SendingSocket {
  send(data: unknown, ...rest: unknown[]): void;
}

const PLACEHOLDER_PREFIX = '\u0000hen-shared-payload:';
/** How a `next` message made with the placeholder ends: the payload is always its last field. */
const PLACEHOLDER_TAIL = /,"payload":"\\u0000hen-shared-payload:(\d+)"\}$/;

/**
 * Serialises each subscription result once, however many subscribers receive it. SharedExecution
 * hands the subscribers of one selection the very same result object, but graphql-ws writes each
 * `next` message with its own JSON.stringify, payload included. Here graphql-ws's `onNext` hook
 * returns one payload object per result; `jsonMessageReplacer` writes a short placeholder string
 * in its place, so each subscriber's message is only `{"id":…,"type":"next","payload":"…"}`;
 * and the socket's send (wrapped by `spliceInto` when the client connects) puts the payload's
 * JSON, made the first time any subscriber needed it, where the placeholder is. graphql-ws
 * stringifies a message and hands it to the socket in one synchronous step, so a placeholder is
 * always resolved in the turn that made it (Node 20 has no JSON.rawJSON, which would need none).
 */
export class SharedPayloadJson {
  /** Payloads serialised (the cost this saves is one per subscriber), for tests. */
  serialisations = 0;
  private readonly payloads = new WeakMap<ExecutionResult, SharedPayload>();
  /** Placeholders written and not yet sent, by token; dropped when the turn ends. */
  private readonly pending = new TurnMap<number, SharedPayload>();
  private nextToken = 1;

  /**
   * graphql-ws `onNext`: what to send instead of graphql-ws's own copy of the result; typed as
   * the payload it stands for, which the replacer writes in its place.
   */
  readonly onNext = (
    _ctx: unknown,
    _id: string,
    _payload: unknown,
    _args: unknown,
    result: ExecutionResult,
  ): FormattedExecutionResult => {
    let payload = this.payloads.get(result);
    if (!payload) {
      payload = new SharedPayload(this.nextToken++, result, () => this.serialisations++);
      this.payloads.set(result, payload);
    }
    return payload as unknown as FormattedExecutionResult;
  };

  /** graphql-ws `jsonMessageReplacer`: a shared payload becomes its placeholder. */
  readonly replacer = (key: string, value: unknown): unknown => {
    if (key !== 'payload' || !(value instanceof SharedPayload)) return value;
    this.pending.set(value.token, value);
    return `${PLACEHOLDER_PREFIX}${value.token}`;
  };

  /** A message with the payload's JSON where its placeholder was; other data as it is. */
  splice(data: unknown): unknown {
    if (typeof data !== 'string') return data;
    const match = PLACEHOLDER_TAIL.exec(data);
    const payload = match && this.pending.get(Number(match[1]));
    if (!match || !payload) return data;
    this.pending.delete(payload.token);
    return `${data.slice(0, match.index)},"payload":${payload.text()}}`;
  }

  /** Wraps the socket's send so that every message it sends is spliced. */
  spliceInto(socket: SendingSocket): void {
    const send = socket.send.bind(socket);
    socket.send = (data: unknown, ...rest: unknown[]) => send(this.splice(data), ...rest);
  }
}

/**
 * graphql-ws server options with `shared` in place: its onNext and jsonMessageReplacer, and each
 * client's socket spliced once the client has sent connection_init (before any `next`).
 */
export function withSharedPayloadJson<O extends { onConnect?: (ctx: never) => unknown }>(
  options: O,
  shared = new SharedPayloadJson(),
) {
  return {
    ...options,
    onConnect: (ctx: Parameters<NonNullable<O['onConnect']>>[0]) => {
      const socket = (ctx as { extra?: { socket?: SendingSocket } }).extra?.socket;
      if (socket) shared.spliceInto(socket);
      return options.onConnect?.(ctx) as ReturnType<NonNullable<O['onConnect']>>;
    },
    onNext: shared.onNext,
    jsonMessageReplacer: shared.replacer,
  };
}
