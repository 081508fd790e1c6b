import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError, ExitCode, exitCodeForApiCode } from './exit-codes';
import type { Target } from './connection';

type Document<R, V> = DocumentTypeDecoration<R, V> & { toString(): string };

interface ApiError {
  message: string;
  extensions?: { code?: string };
}

/** The first error of an answer as a CliError: the API's message and code, nothing else. */
function apiFailure(errors: ApiError[]): CliError {
  const first = errors[0];
  const code = first.extensions?.code;
  return new CliError(first.message, exitCodeForApiCode(code), code);
}

function networkFailure(url: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(`cannot reach ${url}: ${reason}`, ExitCode.UNREACHABLE);
}

/**
 * One daemon's GraphQL API: queries and mutations over HTTP, subscriptions over graphql-ws on
 * the same address.
 */
export class ApiClient {
  private ws?: Client;

  constructor(readonly target: Target) {}

  private get authorization(): Record<string, string> {
    return this.target.token ? { authorization: `Bearer ${this.target.token}` } : {};
  }

  async request<R, V>(document: Document<R, V>, variables?: V): Promise<R> {
    let response: Response;
    try {
      response = await fetch(this.target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.authorization },
        body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw networkFailure(this.target.url, error);
    }
    const text = await response.text();
    let body: { data?: R | null; errors?: ApiError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      const status = `HTTP ${response.status}`;
      throw new CliError(
        `${this.target.url} did not answer as a hen-backup daemon (${status})`,
        response.status === 401 || response.status === 403
          ? ExitCode.UNREACHABLE
          : ExitCode.JOB_FAILED,
      );
    }
    if (body.errors?.length) throw apiFailure(body.errors);
    if (!body.data) {
      throw new CliError(`${this.target.url} answered without data`, ExitCode.JOB_FAILED);
    }
    return body.data;
  }

  /**
   * Calls `next` for every event until the server completes the subscription or `signal` aborts;
   * rejects with the API's error.
   */
  subscribe<R, V>(
    document: Document<R, V>,
    variables: V,
    next: (data: R) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (!this.ws) {
      this.ws = createClient({
        url: this.target.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: this.authorization,
        retryAttempts: 3,
      });
    }
    const ws = this.ws;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve();
      const dispose = ws.subscribe<R>(
        { query: document.toString(), variables: variables as Record<string, unknown> },
        {
          next: (value) => {
            if (value.errors?.length) reject(apiFailure(value.errors as ApiError[]));
            else if (value.data) next(value.data);
          },
          error: (error) => {
            if (Array.isArray(error)) reject(apiFailure(error as ApiError[]));
            else if (error instanceof Error) reject(networkFailure(this.target.url, error));
            else reject(new CliError(`${this.target.url}: the subscription was closed`, 4));
          },
          complete: () => resolve(),
        },
      );
      signal.addEventListener('abort', () => {
        dispose();
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }
}

/** A nullable root field that came back null without an error: the daemon is not what we expect. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) {
    throw new CliError(`the daemon answered without ${what}`, ExitCode.JOB_FAILED);
  }
  return value;
}
