import { FakeClock } from '../../../test/support/fake-clock';
import type { HttpHook } from '../../config/config.types';
import type { HookInvocation } from './hook.types';
import {
  HttpHookRequestError,
  type HttpHookRequest,
  type HttpHookResponse,
} from './http-hook-client';
import {
  HttpHookRunner,
  RESPONSE_LOG_BYTES,
  backoffMs,
  isExpectedStatus,
} from './http-hook-runner';

type Answer = Partial<HttpHookResponse> | Error | 'hang';

/** Answers from a script, one per request; 'hang' waits until the request's signal fires. */
class FakeClient {
  readonly requests: HttpHookRequest[] = [];
  constructor(private readonly answers: Answer[]) {}

  send(request: HttpHookRequest): Promise<HttpHookResponse> {
    this.requests.push(request);
    const answer = this.answers.shift() ?? { status: 200 };
    if (answer === 'hang') {
      return new Promise((_resolve, reject) =>
        request.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve({ status: 200, statusText: '', body: '', truncated: false, ...answer });
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

const hook = (overrides: Partial<HttpHook> = {}): HttpHook => ({
  type: 'http',
  url: 'http://grafana:3000/dump',
  method: 'POST',
  headers: { 'X-Key': 'k' },
  body: '{"a":1}',
  retries: 0,
  expectedStatus: [],
  timeoutMs: 5000,
  onFailure: 'break',
  when: 'always',
  ...overrides,
});

function setup(answers: Answer[]) {
  const clock = new FakeClock();
  const client = new FakeClient(answers);
  const runner = new HttpHookRunner(client, clock);
  const controller = new AbortController();
  const logs: { level: string; message: string; source?: string }[] = [];
  const run: HookInvocation = {
    stage: 'before',
    backup: 'pics',
    jobId: 1,
    signal: controller.signal,
    log: (level, message, source) => logs.push({ level, message, source }),
  };
  return { clock, client, runner, controller, logs, run };
}

describe('HttpHookRunner', () => {
  it('sends the method, headers and body, and logs the status and the body lines', async () => {
    const { client, runner, logs, run } = setup([
      { status: 201, statusText: 'Created', body: 'dumped\nall good\n' },
    ]);
    await expect(runner.run(hook(), run)).resolves.toEqual({ ok: true });
    expect(client.requests[0]).toMatchObject({
      url: 'http://grafana:3000/dump',
      method: 'POST',
      headers: { 'X-Key': 'k' },
      body: '{"a":1}',
      maxBodyBytes: RESPONSE_LOG_BYTES,
    });
    expect(logs).toContainEqual({
      level: 'info',
      message: 'status 201 Created',
      source: undefined,
    });
    expect(logs.filter((l) => l.source === 'response').map((l) => l.message)).toEqual([
      'dumped',
      'all good',
    ]);
  });

  it('fails on a status outside expectedStatus, or outside 2xx when none is listed', async () => {
    let { runner, run } = setup([{ status: 200 }]);
    await expect(runner.run(hook({ expectedStatus: [204] }), run)).resolves.toEqual({
      ok: false,
      reason: 'status 200 (expected 204)',
    });
    ({ runner, run } = setup([{ status: 500, body: 'boom' }]));
    await expect(runner.run(hook(), run)).resolves.toEqual({ ok: false, reason: 'status 500' });
    expect(isExpectedStatus(299, [])).toBe(true);
    expect(isExpectedStatus(302, [])).toBe(false);
    expect(isExpectedStatus(302, [302])).toBe(true);
  });

  it('notes a body cut at the log limit', async () => {
    const { runner, logs, run } = setup([{ status: 200, body: 'x', truncated: true }]);
    await runner.run(hook(), run);
    expect(logs.at(-1)?.message).toMatch(/cut after its first 4096 bytes/);
  });

  it('retries with exponential backoff on the clock, then succeeds', async () => {
    const { clock, client, runner, logs, run } = setup([
      { status: 500 },
      new HttpHookRequestError('connect ECONNREFUSED 10.0.0.1:3000'),
      { status: 200 },
    ]);
    const result = runner.run(hook({ retries: 3 }), run);
    await flush();
    expect(client.requests).toHaveLength(1);
    clock.advance(999);
    await flush();
    expect(client.requests).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(client.requests).toHaveLength(2);
    clock.advance(1999);
    await flush();
    expect(client.requests).toHaveLength(2);
    clock.advance(1);
    await expect(result).resolves.toEqual({ ok: true });
    expect(client.requests).toHaveLength(3);
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        'attempt 1 of 4 failed: status 500',
        'retrying in 1 s (attempt 2 of 4)',
        'attempt 2 of 4 failed: connect ECONNREFUSED 10.0.0.1:3000',
        'retrying in 2 s (attempt 3 of 4)',
      ]),
    );
  });

  it('reports the last reason and the number of attempts when every attempt fails', async () => {
    const { clock, runner, run } = setup([{ status: 502 }, { status: 503 }]);
    const result = runner.run(hook({ retries: 1 }), run);
    await flush();
    clock.advance(1000);
    await expect(result).resolves.toEqual({ ok: false, reason: 'status 503 (2 attempts)' });
  });

  it('caps the backoff', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });

  it('fails an attempt that outlives its timeout', async () => {
    const { clock, client, runner, run } = setup(['hang']);
    const result = runner.run(hook({ timeoutMs: 3000 }), run);
    await flush();
    clock.advance(3000);
    await expect(result).resolves.toEqual({ ok: false, reason: 'timed out after 3 s' });
    expect(client.requests[0].signal.aborted).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('stops when the job is stopped during a request', async () => {
    const { controller, runner, run } = setup(['hang']);
    const result = runner.run(hook({ retries: 5 }), run);
    await flush();
    controller.abort();
    await expect(result).resolves.toEqual({ ok: false, reason: 'stopped with the job' });
  });

  it('stops when the job is stopped during a backoff wait', async () => {
    const { controller, client, runner, run } = setup([{ status: 500 }]);
    const result = runner.run(hook({ retries: 5 }), run);
    await flush();
    controller.abort();
    await expect(result).resolves.toEqual({ ok: false, reason: 'stopped with the job' });
    expect(client.requests).toHaveLength(1);
  });
});
