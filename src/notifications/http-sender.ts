import { Injectable } from '@nestjs/common';

export interface HttpSendRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpSendResult {
  status: number;
  /** the start of the answer's body */
  body: string;
}

const MAX_BODY_BYTES = 2048;

/**
 * The only place notifications make HTTP requests: one request, no retry (the outbox retries).
 * `user:password@` in a URL becomes a Basic Authorization header, as curl does. Aborting the
 * signal cuts the request or the reading of the answer.
 */
@Injectable()
export class HttpSender {
  async send(request: HttpSendRequest): Promise<HttpSendResult> {
    const parsed = new URL(request.url);
    const headers: Record<string, string> = { 'User-Agent': 'hen-backup', ...request.headers };
    if (parsed.username || parsed.password) {
      const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
      headers.Authorization ??= `Basic ${Buffer.from(credentials).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    try {
      const response = await fetch(parsed, {
        method: request.method,
        headers,
        body: request.body,
        signal: request.signal,
      });
      return { status: response.status, body: await readStart(response) };
    } catch (error) {
      if (request.signal.aborted) throw new Error('no answer in time');
      throw new Error(describe(error), { cause: error });
    }
  }
}

async function readStart(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || !value) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES));
}

/** undici says only "fetch failed"; the reason (ECONNREFUSED, ...) is in its cause. */
function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const detail =
    cause instanceof Error ? cause.message || (cause as { code?: string }).code : undefined;
  return detail || (error instanceof Error ? error.message : String(error));
}
