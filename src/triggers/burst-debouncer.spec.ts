import { FakeClock } from '../../test/support/fake-clock';
import { type Burst, BurstDebouncer } from './burst-debouncer';

describe('BurstDebouncer', () => {
  let clock: FakeClock;
  let bursts: Burst[];
  let debouncer: BurstDebouncer;

  beforeEach(() => {
    clock = new FakeClock();
    bursts = [];
    debouncer = new BurstDebouncer(clock, { minMs: 1000, maxMs: 10_000 }, (b) => bursts.push(b));
  });

  it('reports a burst once changes have been quiet for min', () => {
    debouncer.change('/a');
    clock.advance(999);
    expect(bursts).toHaveLength(0);
    clock.advance(1);
    expect(bursts).toEqual([
      expect.objectContaining({ changes: 1, reason: 'settled', samplePaths: ['/a'] }),
    ]);
  });

  it('restarts the quiet time at every change', () => {
    debouncer.change('/a');
    clock.advance(800);
    debouncer.change('/b');
    clock.advance(800);
    debouncer.change('/c');
    clock.advance(999);
    expect(bursts).toHaveLength(0);
    clock.advance(1);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({ changes: 3, endedAt: bursts[0].startedAt + 2600 });
  });

  it('reports one burst for many changes at once, with a few sample paths', () => {
    for (let i = 0; i < 5000; i++) debouncer.change(`/f${i}`);
    clock.advance(60_000);
    expect(bursts).toHaveLength(1);
    expect(bursts[0].changes).toBe(5000);
    expect(bursts[0].samplePaths).toEqual(['/f0', '/f1', '/f2']);
  });

  it('cuts a steady stream of changes at max after the first change', () => {
    const start = clock.now();
    for (let t = 0; t < 25_000; t += 200) {
      debouncer.change('/busy');
      clock.advance(200);
    }
    expect(bursts.map((b) => [b.reason, b.startedAt - start, b.endedAt - start])).toEqual([
      ['max', 0, 10_000],
      ['max', 10_000, 20_000],
    ]);
    // the change at 10 s, right after the cut, opens the second burst
    expect(bursts[0].changes).toBe(50);
  });

  it('starts a new burst with the first change after one was reported', () => {
    debouncer.change('/a');
    clock.advance(1000);
    expect(debouncer.active).toBe(false);
    clock.advance(30_000);
    expect(bursts).toHaveLength(1);
    debouncer.change('/b');
    expect(debouncer.active).toBe(true);
    clock.advance(1000);
    expect(bursts).toHaveLength(2);
    expect(bursts[1]).toMatchObject({ changes: 1, samplePaths: ['/b'] });
  });

  it('keeps no timer between bursts', () => {
    debouncer.change('/a');
    clock.advance(1000);
    expect(clock.pending).toBe(0);
  });

  it('reports nothing once disposed, not even for later changes', () => {
    debouncer.change('/a');
    debouncer.dispose();
    debouncer.change('/b');
    clock.advance(60_000);
    expect(bursts).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });

  it('lets max win when it is shorter than min', () => {
    const capped = new BurstDebouncer(clock, { minMs: 5000, maxMs: 2000 }, (b) => bursts.push(b));
    capped.change('/a');
    clock.advance(2000);
    expect(bursts).toEqual([expect.objectContaining({ reason: 'max' })]);
    clock.advance(10_000);
    expect(bursts).toHaveLength(1);
  });
});
