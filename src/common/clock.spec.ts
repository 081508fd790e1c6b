import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from './clock';

describe('Clock', () => {
  let registry: SchedulerRegistry;
  let clock: Clock;

  beforeEach(() => {
    registry = new SchedulerRegistry();
    clock = new Clock(registry);
  });

  it('lists a named timeout in the scheduler registry while it is armed', () => {
    const cancel = clock.setTimeout(() => undefined, 60_000, 'schedule backup:pics');
    expect(registry.getTimeouts()).toEqual(['schedule backup:pics']);
    cancel();
    expect(registry.getTimeouts()).toEqual([]);
  });

  it('drops a named timeout from the registry once it fired', async () => {
    const fired = new Promise<string[]>((resolve) => {
      clock.setTimeout(() => resolve(registry.getTimeouts()), 1, 'watch docs settling');
    });
    expect(await fired).toEqual([]);
  });

  it('keeps two timers of one name apart, and a cancel removes only its own', () => {
    const first = clock.setTimeout(() => undefined, 60_000, 'watch docs max wait');
    const second = clock.setTimeout(() => undefined, 60_000, 'watch docs max wait');
    expect(registry.getTimeouts()).toEqual(['watch docs max wait', 'watch docs max wait #2']);
    first();
    expect(registry.getTimeouts()).toEqual(['watch docs max wait #2']);
    second();
    expect(registry.getTimeouts()).toEqual([]);
  });

  it('a timer deleted through the registry does not fire', async () => {
    let fired = false;
    clock.setTimeout(() => (fired = true), 1, 'job 7 max duration');
    registry.deleteTimeout('job 7 max duration');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(false);
  });

  it('lists a named interval until it is stopped; unnamed timers stay out', () => {
    const stop = clock.setInterval(() => undefined, 60_000, 'jobs queue summary');
    const unnamed = clock.setTimeout(() => undefined, 60_000);
    expect(registry.getIntervals()).toEqual(['jobs queue summary']);
    expect(registry.getTimeouts()).toEqual([]);
    stop();
    unnamed();
    expect(registry.getIntervals()).toEqual([]);
  });

  it('works without a registry', () => {
    const cancel = new Clock().setTimeout(() => undefined, 60_000, 'anything');
    expect(typeof cancel).toBe('function');
    cancel();
  });
});
