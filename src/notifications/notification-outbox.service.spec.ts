import { Logger } from '@nestjs/common';
import { FakeClock } from '../../test/support/fake-clock';
import { SecretScrubber } from '../common/secret-scrubber';
import { LiveConfig } from '../config/live-config';
import type {
  NotificationEventName,
  NotificationRetry,
  WebhookTarget,
} from '../config/notifications.types';
import { NotificationOutboxStore } from '../jobs/notification-outbox-store';
import { StateDatabase } from '../state/state-database';
import { FakeNotificationSender } from '../../test/support/fake-notification-sender';
import { makeTempDir, removeDir } from '../../test/support/temp-dir';
import { makeTestConfig } from '../../test/support/test-config';
import { blankEvent } from './notification-event';
import { NotificationOutbox } from './notification-outbox.service';
import type { NotificationSender } from './notification-sender';

const RETRY: NotificationRetry = {
  initialDelayMs: 1_000,
  maxDelayMs: 4_000,
  factor: 2,
  maxAttempts: 5,
};

function target(name: string, events: NotificationEventName[]): WebhookTarget {
  return {
    name,
    type: 'webhook',
    url: `https://hooks.example/${name}`,
    method: 'POST',
    headers: {},
    preset: null,
    body: null,
    timeoutMs: 30_000,
    filter: { events, operations: [], backups: [], repositories: [], minSeverity: 'info' },
  };
}

/** Lets the delivery loops run until they wait for the clock again. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

beforeAll(() => Logger.overrideLogger(false));

describe('NotificationOutbox', () => {
  let dir: string;
  let database: StateDatabase;
  let store: NotificationOutboxStore;
  let clock: FakeClock;
  let sender: FakeNotificationSender;
  let live: LiveConfig;
  let outbox: NotificationOutbox;
  const results: string[] = [];

  const event = (name: NotificationEventName, summary: string) =>
    blankEvent(name, 'host', new Date(clock.now()).toISOString(), summary);

  function start(): NotificationOutbox {
    const created = new NotificationOutbox(
      live,
      store,
      sender as unknown as NotificationSender,
      new SecretScrubber(['hunter2-secret']),
      clock,
    );
    created.onDelivery((name, result) => results.push(`${name}:${result}`));
    created.onApplicationBootstrap();
    return created;
  }

  beforeEach(async () => {
    dir = await makeTempDir();
    database = new StateDatabase({ dataDir: dir });
    store = new NotificationOutboxStore(database);
    clock = new FakeClock();
    sender = new FakeNotificationSender();
    results.length = 0;
    live = new LiveConfig(
      makeTestConfig({
        dataDir: dir,
        notifications: {
          retry: RETRY,
          targets: {
            failures: target('failures', ['job.failed']),
            everything: target('everything', ['job.failed', 'job.succeeded']),
          },
        },
      }),
    );
    outbox = start();
  });

  afterEach(async () => {
    // a hanging delivery is given the shutdown grace, on the fake clock
    const stopping = outbox.beforeApplicationShutdown();
    clock.advance(5_000);
    await stopping;
    database.close();
    await removeDir(dir);
  });

  it('stores an event once for each target whose filter wants it, scrubbed, then sends it', async () => {
    const stored = outbox.publish(event('job.succeeded', 'done, password hunter2-secret'));
    expect(stored.map((e) => e.target)).toEqual(['everything']);
    expect(stored[0].payload.summary).toBe('done, password ***');
    await settle();
    expect(sender.sentTo('everything')).toEqual(['done, password ***']);
    expect(sender.sentTo('failures')).toEqual([]);
    expect(store.get(stored[0].id)).toMatchObject({ state: 'sent', attempts: 1 });
    expect(results).toEqual(['everything:sent']);
  });

  it('retries the head of a target with the configured backoff, keeping the order', async () => {
    sender.down.add('failures');
    outbox.publish(event('job.failed', 'first'));
    outbox.publish(event('job.failed', 'second'));
    await settle();
    expect(sender.sentTo('failures')).toEqual(['first']);
    // 1 s, 2 s, then 4 s (maxDelay) between attempts
    for (const delay of [1_000, 2_000, 4_000]) {
      clock.advance(delay - 1);
      await settle();
      const before = sender.sentTo('failures').length;
      clock.advance(1);
      await settle();
      expect(sender.sentTo('failures')).toHaveLength(before + 1);
    }
    expect(sender.sentTo('failures')).toEqual(['first', 'first', 'first', 'first']);
    expect(store.pendingByTarget().get('failures')).toBe(2);
    sender.down.delete('failures');
    clock.advance(4_000);
    await settle();
    expect(sender.sentTo('failures')).toEqual([
      'first',
      'first',
      'first',
      'first',
      'first',
      'second',
    ]);
    expect(store.pendingByTarget().get('failures')).toBeUndefined();
    expect(results.filter((r) => r.startsWith('failures'))).toEqual([
      ...Array(4).fill('failures:failed'),
      'failures:sent',
      'failures:sent',
    ]);
  });

  it('gives up after maxAttempts, recording the last error, and goes on with the next', async () => {
    sender.down.add('failures');
    const [first] = outbox.publish(event('job.failed', 'first'));
    await settle();
    for (let i = 0; i < 4; i++) {
      clock.advance(RETRY.maxDelayMs);
      await settle();
    }
    expect(store.get(first.id)).toMatchObject({
      state: 'failed',
      attempts: 5,
      lastError: 'connect ECONNREFUSED',
    });
    sender.down.delete('failures');
    outbox.publish(event('job.failed', 'second'));
    await settle();
    expect(sender.sentTo('failures').at(-1)).toBe('second');
  });

  it('does not let a target that never answers hold up the others', async () => {
    sender.hanging.add('failures');
    outbox.publish(event('job.failed', 'one'));
    outbox.publish(event('job.failed', 'two'));
    await settle();
    expect(sender.sentTo('failures')).toEqual(['one']);
    expect(sender.sentTo('everything')).toEqual(['one', 'two']);
  });

  it('sends after a restart what was pending when the previous outbox stopped', async () => {
    sender.down.add('failures');
    outbox.publish(event('job.failed', 'kept'));
    await settle();
    await outbox.beforeApplicationShutdown();
    sender.down.delete('failures');
    outbox = start();
    await settle();
    // the retry is due 1 s after the failed attempt
    expect(sender.sentTo('failures')).toEqual(['kept']);
    clock.advance(1_000);
    await settle();
    expect(sender.sentTo('failures')).toEqual(['kept', 'kept']);
    expect(store.pendingByTarget().size).toBe(0);
  });
});
