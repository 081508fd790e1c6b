import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string }; path?: string[] }[];
}

/** A client speaking to the daemon as a dashboard would: POST over HTTP, subscriptions over graphql-ws. */
export class GraphQLTestClient {
  private ws?: Client;
  private connected?: Promise<void>;

  /**
   * With `token`, every request and the websocket's connection_init carry it; `onAnswer` sees the
   * text of every HTTP answer (for tests that search the answers for what must not be there).
   */
  constructor(
    private readonly port: number,
    private readonly token?: string,
    private readonly options: { onAnswer?: (text: string) => void } = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  async request<T = any>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    this.options.onAnswer?.(text);
    return JSON.parse(text) as GraphQLResponse<T>;
  }

  /** Like request, but fails the test with the errors when there are any. */
  async data<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.request<T>(query, variables);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data!;
  }

  /** Starts a subscription and collects its events until `until` says enough (or it times out). */
  /**
   * Subscribes and resolves once the socket is acknowledged plus a short settle, so that events
   * the test causes next are not missed (graphql-ws has no per-subscription acknowledgement).
   */
  async subscribe<T = any>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<Subscription<T>> {
    if (!this.ws) {
      this.ws = createClient({
        url: this.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: this.token ? { authorization: `Bearer ${this.token}` } : undefined,
      });
      const ws = this.ws;
      this.connected = new Promise((resolve) => ws.on('connected', () => resolve()));
    }
    const subscription = new Subscription<T>(this.ws, query, variables);
    await this.connected;
    await new Promise((r) => setTimeout(r, 300));
    return subscription;
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }
}

export class Subscription<T> {
  readonly events: T[] = [];
  readonly errors: unknown[] = [];
  private readonly dispose: () => void;
  completed = false;

  constructor(client: Client, query: string, variables: Record<string, unknown>) {
    this.dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) this.errors.push(...value.errors);
          if (value.data) this.events.push(value.data);
        },
        error: (error) => {
          this.errors.push(error);
          this.completed = true;
        },
        complete: () => {
          this.completed = true;
        },
      },
    );
  }

  async until(predicate: (events: T[]) => boolean, timeoutMs = 60_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.completed || Date.now() > deadline) {
        throw new Error(
          `subscription ${this.completed ? 'ended' : 'timed out'} with ${this.events.length} events; errors: ${JSON.stringify(this.errors)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.events;
  }

  close(): void {
    this.dispose();
  }
}
