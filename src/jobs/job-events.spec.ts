import { PacedPubSub } from '../common/graphql/paced-pub-sub';
import { fakeJob } from '../../test/support/fake-job-context';
import { JOB_UPDATED, JobEvents, type JobUpdatedPayload } from './job-events';

describe('JobEvents', () => {
  it('says when every job version announced so far has been handed to the subscribers', async () => {
    const turns: (() => void)[] = [];
    const pubSub = new PacedPubSub(1, (serve) => turns.push(serve));
    const events = new JobEvents(pubSub);
    await expect(events.handedOver()).resolves.toBeUndefined(); // nothing announced yet
    const got: number[][] = [[], []];
    for (const list of got) {
      await pubSub.subscribe(JOB_UPDATED, (p) => list.push((p as JobUpdatedPayload).jobUpdated.id));
    }
    let handedOver = false;
    events.updated(fakeJob({ id: 1 }));
    events.updated(fakeJob({ id: 2 }));
    void events.handedOver().then(() => (handedOver = true));
    turns.shift()!(); // the first subscriber
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([[1, 2], []]);
    expect(handedOver).toBe(false);
    turns.shift()!(); // the second
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(handedOver).toBe(true);
  });
});
