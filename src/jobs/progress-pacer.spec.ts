import { FakeClock } from '../../test/support/fake-clock';
import { PROGRESS_INTERVAL_MS, ProgressPacer } from './progress-pacer';
import type { Job, JobProgress } from './job.types';

describe('ProgressPacer', () => {
  let clock: FakeClock;
  let published: { at: number; secondsElapsed: number | undefined; filesDone: number }[];
  let pacer: ProgressPacer;

  const job = { id: 1, progress: null } as unknown as Job;
  const report = (filesDone: number, secondsElapsed = 0) => {
    job.progress = { filesDone, secondsElapsed } as JobProgress;
    pacer.report(job);
  };

  beforeEach(() => {
    clock = new FakeClock();
    published = [];
    pacer = new ProgressPacer(clock, (j) =>
      published.push({
        at: clock.now() - Date.parse('2026-01-01T00:00:00Z'),
        secondsElapsed: j.progress?.secondsElapsed,
        filesDone: j.progress!.filesDone,
      }),
    );
    pacer.start(job.id);
  });
  afterEach(() => pacer.stop(job.id));

  it('publishes at most every 500 ms, the trailing one with the latest values', () => {
    report(1);
    clock.advance(100);
    report(2);
    clock.advance(100);
    report(3);
    expect(published.map((p) => p.filesDone)).toEqual([1]);
    clock.advance(PROGRESS_INTERVAL_MS);
    expect(published.map((p) => [p.at, p.filesDone])).toEqual([
      [0, 1],
      [500, 3],
    ]);
  });

  it('restates progress with the elapsed time when restic goes quiet', () => {
    report(5, 10);
    clock.advance(3000);
    // every 600 ms without news, counted on from restic's own 10 s on the daemon's clock
    expect(published.map((p) => [p.at, p.secondsElapsed, p.filesDone])).toEqual([
      [0, 10, 5],
      [600, 10, 5],
      [1200, 11, 5],
      [1800, 11, 5],
      [2400, 12, 5],
      [3000, 13, 5],
    ]);
  });

  it('publishes nothing more once the job is stopped, and publishes others at once', () => {
    report(1);
    clock.advance(100);
    report(2);
    pacer.stop(job.id);
    clock.advance(5000);
    expect(published.map((p) => p.filesDone)).toEqual([1]);
    expect(clock.pending).toBe(0);
    report(3);
    report(4);
    expect(published.map((p) => p.filesDone)).toEqual([1, 3, 4]);
  });
});
