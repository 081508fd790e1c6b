import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PacedPubSub } from '../common/graphql/paced-pub-sub';
import { FakeClock } from '../../test/support/fake-clock';
import { SecretScrubber } from '../common/secret-scrubber';
import { JobEvents } from './job-events';
import { JobFeeds } from './job-feeds';
import { JobLogService } from './job-log.service';
import type { JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import type { Job } from './job.types';
import { StateDatabase } from '../state/state-database';

/**
 * The feeds against the real store and PubSub, with writes placed exactly in the gaps a race
 * could put them: after the feed listens but before it reads the store, and between reads.
 */
describe('JobFeeds', () => {
  let dir: string;
  let database: StateDatabase;
  let store: JobStore;
  let events: JobEvents;
  let logs: JobLogService;
  let feeds: JobFeeds;
  const live = new Map<number, Job>();
  const clock = new FakeClock(Date.parse('2026-12-01T00:00:00Z'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-feeds-'));
    database = new StateDatabase({ dataDir: dir });
    store = new JobStore(database);
    const pubSub = new PacedPubSub();
    events = new JobEvents(pubSub);
    logs = new JobLogService(store, events, new SecretScrubber([]), clock);
    const runner = {
      live: (id: number) => live.get(id),
      runningJobs: () => [...live.values()].filter((j) => j.state === 'running'),
      queuedJobs: () => [...live.values()].filter((j) => j.state === 'queued'),
    } as unknown as JobRunner;
    feeds = new JobFeeds(store, runner, pubSub);
  });
  afterEach(() => {
    live.clear();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const newJob = () =>
    store.create(
      { operation: 'backup', backup: 'b', trigger: 'api', priority: 0 },
      new Date(clock.now()).toISOString(),
    );
  /** Stores then announces a new state, as the runner does. */
  const change = (job: Job, state: Job['state']) => {
    clock.advance(1);
    job.state = state;
    job.updatedAt = new Date(clock.now()).toISOString();
    store.save(job);
    events.updated(job);
  };
  const seqs = async (feed: AsyncIterableIterator<{ jobLogs: { seq: number } }>) => {
    const got: number[] = [];
    for await (const { jobLogs } of feed) got.push(jobLogs.seq);
    return got;
  };

  it('sends a line written between listening and reading the store once, then completes after the last line', async () => {
    const job = newJob();
    logs.write(job, 'info', 'one');
    logs.write(job, 'info', 'two');
    const feed = feeds.followLogs(job.id, 0);
    // listening already, the store not read yet: this line is both stored and buffered
    logs.write(job, 'info', 'three');
    const first = await feed.next();
    expect(first.value).toMatchObject({ jobLogs: { seq: 1, message: 'one' } });
    logs.write(job, 'info', 'four');
    change(job, 'running');
    change(job, 'succeeded');
    // written right after the end was announced, as the runner's "ended" line is
    logs.write(job, 'info', 'ended');
    const rest = await seqs(feed);
    expect(rest).toEqual([2, 3, 4, 5]);
  });

  it('replays after a sequence number, and completes at once for a job that ended', async () => {
    const job = newJob();
    for (const message of ['a', 'b', 'c', 'd']) logs.write(job, 'info', message);
    change(job, 'failed');
    expect(await seqs(feeds.followLogs(job.id, 2))).toEqual([3, 4]);
    expect(await seqs(feeds.followLogs(job.id, 4))).toEqual([]);
  });

  it('gives a job’s current state first, drops older announcements, and ends after the final state', async () => {
    const job = newJob();
    change(job, 'running');
    const stale = structuredClone(job);
    live.set(job.id, job);
    const feed = feeds.followJob(job.id, () => true);
    // a queued state announced late, after the feed listened: older than the current state
    events.updated({ ...stale, state: 'queued', updatedAt: '2026-11-30T00:00:00.000Z' });
    const got: string[] = [];
    const reading = (async () => {
      for await (const { jobUpdated } of feed) got.push(jobUpdated.state);
    })();
    await new Promise((r) => setImmediate(r));
    change(job, 'succeeded');
    events.updated({ ...job, state: 'running' }); // after the end: never read
    await reading;
    expect(got).toEqual(['running', 'succeeded']);
  });

  it('follows the queue: jobs running and waiting first, then every change; stops listening on return', async () => {
    const running = newJob();
    change(running, 'running');
    const waiting = newJob();
    live.set(running.id, running);
    live.set(waiting.id, waiting);
    const feed = feeds.followQueue(() => true);
    const first = [(await feed.next()).value, (await feed.next()).value];
    expect(first.map((e) => [e.jobUpdated.id, e.jobUpdated.state])).toEqual([
      [running.id, 'running'],
      [waiting.id, 'queued'],
    ]);
    change(waiting, 'running');
    expect((await feed.next()).value.jobUpdated).toMatchObject({
      id: waiting.id,
      state: 'running',
    });
    // a client unsubscribing while the feed waits for the next event
    const pending = feed.next();
    await feed.return!();
    expect(await pending).toMatchObject({ done: true });
  });

  it('hands a subscriber the newest of the versions published together, never losing a state change', async () => {
    const job = newJob();
    live.set(job.id, job);
    const feed = feeds.followQueue(() => true);
    const taken = async () => {
      const { value } = await feed.next();
      return `${value.jobUpdated.id} ${value.jobUpdated.state} ${value.jobUpdated.updatedAt}`;
    };
    const version = (j: Job) => `${j.id} ${j.state} ${j.updatedAt}`;
    expect(await taken()).toBe(version(job));
    // started, then its first step: published in one turn, handed over together; the version
    // of the same state takes the place of the one before it
    change(job, 'running');
    change(job, 'running');
    expect(await taken()).toBe(version(job));
    // progress, then the end, in one turn: the end takes the progress version's place
    change(job, 'running');
    change(job, 'succeeded');
    expect(await taken()).toBe(version(job));
    // queued, then started in one turn: both are changes of state, both are sent, in order
    const next = newJob();
    change(next, 'queued');
    const queued = version(next);
    change(next, 'running');
    expect([await taken(), await taken()]).toEqual([queued, version(next)]);
    await feed.return!();
  });

  it('keeps a slow subscriber to the newest version of each job, however many it missed', async () => {
    const job = newJob();
    change(job, 'running');
    live.set(job.id, job);
    const feed = feeds.followQueue(() => true);
    expect((await feed.next()).value.jobUpdated.updatedAt).toBe(job.updatedAt);
    // a client that stopped reading: a hundred progress versions, each handed over in its turn,
    // then the end
    for (let i = 0; i < 100; i++) {
      change(job, 'running');
      await new Promise((resolve) => setImmediate(resolve));
    }
    change(job, 'succeeded');
    await new Promise((resolve) => setImmediate(resolve));
    // the progress versions gave way to one another, then to the end: one version waits
    const { value } = await feed.next();
    expect(value.jobUpdated).toMatchObject({ state: 'succeeded', updatedAt: job.updatedAt });
    const nothingMore = await Promise.race([
      feed.next().then(() => 'another version'),
      new Promise((resolve) => setTimeout(() => resolve('nothing'), 50)),
    ]);
    expect(nothingMore).toBe('nothing');
    await feed.return!();
  });
});
