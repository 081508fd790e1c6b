import { FakeClock } from '../../../test/support/fake-clock';
import { HookDeadline, formatDuration, sleep } from './hook-deadline';

describe('HookDeadline', () => {
  it('fires at the timeout and says so', () => {
    const clock = new FakeClock();
    const job = new AbortController();
    const deadline = new HookDeadline(clock, job.signal, 1000);
    clock.advance(999);
    expect(deadline.signal.aborted).toBe(false);
    clock.advance(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(true);
  });

  it('follows the job signal without calling it a timeout, and lets go of it when disposed', () => {
    const clock = new FakeClock();
    const job = new AbortController();
    const deadline = new HookDeadline(clock, job.signal, 1000);
    job.abort();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(false);
    deadline.dispose();
    expect(clock.pending).toBe(0);
  });

  it('starts aborted under an aborted job', () => {
    const job = new AbortController();
    job.abort();
    expect(new HookDeadline(new FakeClock(), job.signal, 1000).signal.aborted).toBe(true);
  });
});

describe('sleep', () => {
  it('waits on the clock and ends early when aborted', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let done = false;
    const waiting = sleep(clock, 5000, controller.signal).then(() => (done = true));
    clock.advance(4000);
    await Promise.resolve();
    expect(done).toBe(false);
    controller.abort();
    await waiting;
    expect(clock.pending).toBe(0);
  });
});

it('formats durations for people', () => {
  expect(formatDuration(250)).toBe('250 ms');
  expect(formatDuration(5000)).toBe('5 s');
  expect(formatDuration(1500)).toBe('1.5 s');
  expect(formatDuration(120_000)).toBe('2 min');
});
