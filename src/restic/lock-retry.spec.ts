import { FakeClock } from '../../test/support/fake-clock';
import { retryWhileLocked } from './lock-retry';
import { ResticError } from './restic-error';

const locked = () =>
  new ResticError('REPOSITORY_LOCKED', 'repository "nas" is locked by another process');
const flush = () => new Promise((r) => setImmediate(r));

describe('retryWhileLocked', () => {
  it('waits with the given pauses while the repository is locked, then succeeds', async () => {
    const clock = new FakeClock();
    const waits: number[] = [];
    let calls = 0;
    const result = retryWhileLocked(
      () => (++calls < 3 ? Promise.reject(locked()) : Promise.resolve('done')),
      { delaysMs: [1000, 2000, 4000], onWait: (w) => waits.push(w.delayMs) },
      clock,
    );
    await flush();
    expect(calls).toBe(1);
    clock.advance(999);
    await flush();
    expect(calls).toBe(1);
    clock.advance(1);
    await flush();
    expect(calls).toBe(2);
    clock.advance(2000);
    await expect(result).resolves.toBe('done');
    expect(waits).toEqual([1000, 2000]);
  });

  it('gives up after the last pause, saying how long it waited', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const result = retryWhileLocked(
      () => (calls++, Promise.reject(locked())),
      { delaysMs: [1000, 1000] },
      clock,
    );
    const outcome = expect(result).rejects.toMatchObject({
      code: 'REPOSITORY_LOCKED',
      message: expect.stringContaining('still locked after 3 attempts over 2 s'),
    });
    for (let i = 0; i < 3; i++) {
      await flush();
      clock.advance(1000);
    }
    await outcome;
    expect(calls).toBe(3);
  });

  it('does not retry other failures', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const failure = new ResticError('WRONG_PASSWORD', 'wrong password');
    await expect(
      retryWhileLocked(() => (calls++, Promise.reject(failure)), { delaysMs: [1000] }, clock),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('stops waiting when the job is canceled', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let calls = 0;
    const result = retryWhileLocked(
      () => (
        calls++,
        Promise.reject(
          controller.signal.aborted ? new ResticError('CANCELED', 'canceled') : locked(),
        )
      ),
      { delaysMs: [60_000] },
      clock,
      controller.signal,
    );
    await flush();
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'CANCELED' });
    expect(calls).toBe(2);
  });

  it('tries again at once when the lock was stale and removed, without waiting', async () => {
    const clock = new FakeClock();
    const waits: number[] = [];
    let calls = 0;
    let removals = 0;
    const result = await retryWhileLocked(
      () => (++calls < 2 ? Promise.reject(locked()) : Promise.resolve('done')),
      { delaysMs: [60_000], onWait: (w) => waits.push(w.delayMs) },
      clock,
      undefined,
      () => (removals++, Promise.resolve(true)),
    );
    expect(result).toBe('done');
    expect({ calls, removals, waits }).toEqual({ calls: 2, removals: 1, waits: [] });
  });

  it('removes stale locks without a wait policy, and fails at once on a live lock', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const stale = [true, false];
    await expect(
      retryWhileLocked(
        () => (calls++, Promise.reject(locked())),
        undefined,
        clock,
        undefined,
        () => Promise.resolve(stale.shift() ?? false),
      ),
    ).rejects.toMatchObject({ code: 'REPOSITORY_LOCKED' });
    expect(calls).toBe(2);
  });

  it('stops removing after a few stale locks in a row, then waits as for a live one', async () => {
    const clock = new FakeClock();
    let calls = 0;
    let removals = 0;
    const waits: number[] = [];
    const result = retryWhileLocked(
      () => (++calls < 6 ? Promise.reject(locked()) : Promise.resolve('done')),
      { delaysMs: [1000, 1000], onWait: (w) => waits.push(w.delayMs) },
      clock,
      undefined,
      () => (removals++, Promise.resolve(true)),
    );
    for (let i = 0; i < 4; i++) {
      await flush();
      clock.advance(1000);
    }
    await expect(result).resolves.toBe('done');
    expect(removals).toBe(3);
    expect(waits).toEqual([1000, 1000]);
  });
});
