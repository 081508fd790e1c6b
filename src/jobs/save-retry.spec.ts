import { FakeClock } from '../../test/support/fake-clock';
import { StateDiskFullError } from '../state/state-disk-full';
import type { JobEvents } from './job-events';
import type { JobStore } from './job-store';
import type { Job } from './job.types';
import { SAVE_RETRY_INTERVAL_MS, SaveRetry } from './save-retry';

describe('SaveRetry', () => {
  let clock: FakeClock;
  let full: boolean;
  let saved: [number, string][];
  let heard: string[];
  let retried: number;
  let saves: SaveRetry;

  const job = (id: number, state: Job['state'] = 'running') => ({ id, state }) as Job;

  beforeEach(() => {
    clock = new FakeClock();
    full = false;
    saved = [];
    heard = [];
    retried = 0;
    const store = {
      save: (j: Job) => {
        if (full) throw new StateDiskFullError('/data');
        saved.push([j.id, j.state]);
      },
    } as unknown as JobStore;
    const events = {
      updated: (j: Job) => heard.push(`updated ${j.id} ${j.state}`),
      finished: (j: Job) => heard.push(`finished ${j.id} ${j.state}`),
    } as unknown as JobEvents;
    saves = new SaveRetry(store, events, clock, () => retried++);
  });

  it('saves, stamps the time, then announces', () => {
    const j = job(1);
    expect(saves.save(j)).toBe(true);
    expect(j.updatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(saved).toEqual([[1, 'running']]);
    expect(heard).toEqual(['updated 1 running']);
    saves.announceEnd(job(1, 'succeeded'));
    expect(heard).toEqual(['updated 1 running', 'finished 1 succeeded']);
  });

  it('keeps what a full disk refused, unannounced, and saves its latest state later', () => {
    full = true;
    const j = job(1);
    expect(saves.save(j)).toBe(false);
    j.state = 'succeeded';
    saves.announceEnd(j);
    expect(heard).toEqual([]);
    clock.advance(SAVE_RETRY_INTERVAL_MS);
    expect(retried).toBe(0); // still full: tried again later
    full = false;
    clock.advance(SAVE_RETRY_INTERVAL_MS);
    expect(saved).toEqual([[1, 'succeeded']]);
    expect(heard).toEqual(['updated 1 succeeded', 'finished 1 succeeded']);
    expect(retried).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('runs one retry timer however many saves fail', () => {
    full = true;
    saves.save(job(1));
    saves.save(job(2));
    expect(clock.pending).toBe(1);
  });

  it('forgets a dropped job, and tries once more at shutdown without arming a new timer', () => {
    full = true;
    saves.save(job(1));
    saves.save(job(2));
    saves.drop(1);
    saves.lastTry();
    expect(clock.pending).toBe(0);
    full = false;
    saves.lastTry();
    expect(saved).toEqual([[2, 'running']]);
    expect(retried).toBe(1);
  });
});
