import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { HttpHook } from '../../config/config.types';
import { describeFailure } from '../../jobs/job-failure';
import { HookDeadline, formatDuration, sleep } from './hook-deadline';
import { displayUrl } from './hook-label';
import type { HookInvocation, HookResult } from './hook.types';
import { HttpHookClient } from './http-hook-client';

/** Enough of an answer to explain a failure, small enough for a log. */
export const RESPONSE_LOG_BYTES = 4 * 1024;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/** Wait before retry `n` (1-based): 1 s, 2 s, 4 s, ... capped at 30 s. */
export function backoffMs(retry: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** (retry - 1), BACKOFF_MAX_MS);
}

/** An accepted answer: one of `expected`, or any 2xx when none are listed. */
export function isExpectedStatus(status: number, expected: readonly number[]): boolean {
  return expected.length ? expected.includes(status) : status >= 200 && status < 300;
}

/**
 * Runs an HTTP hook: each attempt has the hook's timeout, and a failed attempt (refused, timed
 * out, unexpected status) is retried `retries` times with exponential backoff.
 */
@Injectable()
export class HttpHookRunner {
  constructor(
    private readonly client: HttpHookClient,
    private readonly clock: Clock,
  ) {}

  async run(hook: HttpHook, run: HookInvocation): Promise<HookResult> {
    const attempts = hook.retries + 1;
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        const wait = backoffMs(attempt - 1);
        run.log('info', `retrying in ${formatDuration(wait)} (attempt ${attempt} of ${attempts})`);
        await sleep(this.clock, wait, run.signal);
      }
      if (run.signal.aborted) return { ok: false, reason: 'stopped with the job' };
      const result = await this.attempt(hook, run);
      if (result.ok || run.signal.aborted) return result;
      reason = result.reason;
      run.log('warn', `attempt ${attempt} of ${attempts} failed: ${reason}`);
    }
    return { ok: false, reason: attempts > 1 ? `${reason} (${attempts} attempts)` : reason };
  }

  private async attempt(hook: HttpHook, run: HookInvocation): Promise<HookResult> {
    const deadline = new HookDeadline(this.clock, run.signal, hook.timeoutMs);
    run.log('info', `${hook.method} ${displayUrl(hook.url)}`);
    try {
      const response = await this.client.send({
        url: hook.url,
        method: hook.method,
        headers: hook.headers,
        body: hook.body,
        signal: deadline.signal,
        maxBodyBytes: RESPONSE_LOG_BYTES,
      });
      const accepted = isExpectedStatus(response.status, hook.expectedStatus);
      run.log(
        accepted ? 'info' : 'warn',
        `status ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      );
      logBody(run, response.body, response.truncated);
      if (accepted) return { ok: true };
      const expected = hook.expectedStatus.length
        ? ` (expected ${hook.expectedStatus.join(', ')})`
        : '';
      return { ok: false, reason: `status ${response.status}${expected}` };
    } catch (error) {
      if (deadline.timedOut) {
        return { ok: false, reason: `timed out after ${formatDuration(hook.timeoutMs)}` };
      }
      if (run.signal.aborted) return { ok: false, reason: 'stopped with the job' };
      return { ok: false, reason: describeFailure(error).message };
    } finally {
      deadline.dispose();
    }
  }
}

/** One log entry per line of the body, under the `response` source. */
function logBody(run: HookInvocation, body: string, truncated: boolean): void {
  const lines = body.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) run.log('info', line, 'response');
  if (truncated) {
    run.log('info', `(response cut after its first ${RESPONSE_LOG_BYTES} bytes)`, 'response');
  }
}
