import { Injectable } from '@nestjs/common';

export interface HttpHookRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** read at most this much of the response body; the rest is discarded unread */
  maxBodyBytes: number;
}

export interface HttpHookResponse {
  status: number;
  statusText: string;
  /** the start of the body, decoded as UTF-8 */
  body: string;
  /** the body went on past maxBodyBytes */
  truncated: boolean;
}

/** The request could not be made or its answer not read: refused, reset, DNS, TLS, ... */
export class HttpHookRequestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpHookRequestError';
  }
}

const USER_AGENT = 'hen-backup';

/**
 * The only place HTTP hook calls are made: one request, no retries or status policy (that is
 * HttpHookRunner's), so tests can swap it for a fake. Aborting `signal` cuts the request or the
 * body being read.
 */
@Injectable()
export class HttpHookClient {
  async send(request: HttpHookRequest): Promise<HttpHookResponse> {
    const { url, headers } = withUrlCredentialsAsHeader(request.url, request.headers);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        body: request.body,
        signal: request.signal,
      });
    } catch (error) {
      throw request.signal.aborted ? error : toRequestError(error);
    }
    try {
      const { text, truncated } = await readStart(response, request.maxBodyBytes);
      return { status: response.status, statusText: response.statusText, body: text, truncated };
    } catch (error) {
      throw request.signal.aborted ? error : toRequestError(error);
    }
  }
}

/**
 * fetch refuses URLs with credentials in them, while `https://user:pass@host/` is how people
 * write a hook that needs basic auth; turn them into the header curl would send. An explicit
 * Authorization header wins.
 */
export function withUrlCredentialsAsHeader(
  url: string,
  headers: Record<string, string>,
): { url: string; headers: Record<string, string> } {
  const out: Record<string, string> = { ...headers };
  const hasHeader = (name: string) => Object.keys(out).some((k) => k.toLowerCase() === name);
  if (!hasHeader('user-agent')) out['User-Agent'] = USER_AGENT;
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url, headers: out };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  if (!hasHeader('authorization')) {
    out.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  return { url: parsed.toString(), headers: out };
}

async function readStart(
  response: Response,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || !value) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      truncated = true;
      // Stop downloading: a hook that answers with a large document must not be read whole.
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const bytes = Buffer.concat(chunks).subarray(0, maxBytes);
  return { text: new TextDecoder().decode(bytes), truncated };
}

/** undici says only "fetch failed"; the reason (ECONNREFUSED, ...) is in its cause. */
function toRequestError(error: unknown): HttpHookRequestError {
  const cause = error instanceof Error ? error.cause : undefined;
  // an AggregateError (every address refused) has no message, only a code
  const detail =
    cause instanceof Error ? cause.message || (cause as { code?: string }).code : undefined;
  const message = detail || (error instanceof Error ? error.message : String(error));
  return new HttpHookRequestError(message, { cause: error });
}
