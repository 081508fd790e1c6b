import { PacedPubSub } from '../common/graphql/paced-pub-sub';
import { JOB_UPDATED } from './job-events';
import { everyJob, JobFeed, oneJob } from './job-feed';
import type { Job } from './job.types';

describe('JobFeed', () => {
  it('stops listening when reading the current state fails', async () => {
    const turns: (() => void)[] = [];
    const pubSub = new PacedPubSub(10, (serve) => turns.push(serve));
    expect(
      () =>
        new JobFeed(
          pubSub,
          everyJob(() => true),
          () => {
            throw new Error('the state database is gone');
          },
        ),
    ).toThrow('the state database is gone');
    // the listener is gone once its subscription id is known
    await new Promise((resolve) => setImmediate(resolve));
    await pubSub.publish(JOB_UPDATED, { jobUpdated: { id: 1, state: 'running' } as Job });
    expect(turns).toHaveLength(0);
  });

  it('leaves out a final version its filter does not match, and still hands over the rest', async () => {
    const pubSub = new PacedPubSub();
    const runningOnly = new JobFeed(
      pubSub,
      everyJob((job) => job.state === 'running'),
      () => [],
    );
    const version = (id: number, state: Job['state'], updatedAt: string) =>
      ({ id, state, updatedAt }) as Job;
    await pubSub.publish(JOB_UPDATED, { jobUpdated: version(1, 'running', 'a') });
    await pubSub.publish(JOB_UPDATED, { jobUpdated: version(1, 'succeeded', 'b') });
    await pubSub.publish(JOB_UPDATED, { jobUpdated: version(2, 'running', 'c') });
    const first = await runningOnly.next();
    const second = await runningOnly.next();
    expect([first.value?.jobUpdated.id, second.value?.jobUpdated.id]).toEqual([1, 2]);
    await runningOnly.return();
  });
  it('hands versions over through pull: at once when one waits, else once published, then the end', async () => {
    const turns: (() => void)[] = [];
    const pubSub = new PacedPubSub(10, (serve) => turns.push(serve));
    const version = (state: Job['state'], updatedAt: string) =>
      ({ id: 1, state, updatedAt }) as Job;
    const feed = new JobFeed(
      pubSub,
      oneJob(1, () => true),
      () => [version('queued', 'a')],
    );
    const received: unknown[] = [];
    // a feed never fails: it takes no failure callback
    const take = () =>
      feed.pull((result) => received.push(result.done ? 'done' : result.value.jobUpdated.state));
    // the current state waits already: handed over within the call
    take();
    expect(received).toEqual(['queued']);
    take();
    void pubSub.publish(JOB_UPDATED, { jobUpdated: version('running', 'b') });
    turns.shift()!();
    expect(received).toEqual(['queued']);
    // handed over once the versions published together are placed (a microtask later)
    await Promise.resolve();
    expect(received).toEqual(['queued', 'running']);
    take();
    void pubSub.publish(JOB_UPDATED, { jobUpdated: version('succeeded', 'c') });
    turns.shift()!();
    await Promise.resolve();
    take();
    expect(received).toEqual(['queued', 'running', 'succeeded', 'done']);
  });
});
