import type { PubSub } from 'graphql-subscriptions';
import { FakeClock } from '../../test/support/fake-clock';
import { LiveConfig } from '../config/live-config';
import { JobEvents } from '../jobs/job-events';
import type { Job, JobStep } from '../jobs/job.types';
import { RecordingOutbox } from '../../test/support/recording-outbox';
import { makeTestConfig } from '../../test/support/test-config';
import { JobNotifier } from './job-notifier';
import type { NotificationOutbox } from './notification-outbox.service';

const pubSub = { publish: () => Promise.resolve() } as unknown as PubSub;

function job(overrides: Partial<Job>): Job {
  return {
    id: 1,
    operation: 'backup',
    backup: 'pictures',
    repository: null,
    trigger: 'schedule',
    priority: 0,
    state: 'queued',
    queuedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    endedAt: null,
    steps: [],
    progress: null,
    warnings: [],
    error: null,
    snapshotIds: [],
    params: {},
    ...overrides,
  };
}

function step(repository: string, state: JobStep['state'], code?: string): JobStep {
  return {
    name: `restic ${repository}`,
    kind: 'restic',
    repository,
    state,
    startedAt: null,
    endedAt: null,
    error: code ? { code, message: `${repository}: ${code}` } : null,
    snapshotId: null,
    summary: null,
  };
}

describe('JobNotifier', () => {
  let events: JobEvents;
  let outbox: RecordingOutbox;
  let notifier: JobNotifier;

  beforeEach(() => {
    events = new JobEvents(pubSub);
    outbox = new RecordingOutbox();
    notifier = new JobNotifier(
      events,
      outbox as unknown as NotificationOutbox,
      new LiveConfig(makeTestConfig()),
      new FakeClock(),
    );
  });

  afterEach(() => notifier.onModuleDestroy());

  it('tells each state a job reaches once, not its progress', () => {
    events.updated(job({ state: 'queued' }));
    events.updated(job({ state: 'queued', priority: 5 }));
    events.updated(job({ state: 'running' }));
    events.updated(job({ state: 'running', progress: null, warnings: [] }));
    events.updated(job({ state: 'succeeded', warnings: ['some files unreadable'] }));
    expect(outbox.names()).toEqual(['job.queued', 'job.started', 'job.warnings']);
    expect(outbox.events[2]).toMatchObject({
      severity: 'warning',
      warnings: ['some files unreadable'],
    });
  });

  it('tells timeouts, failures, cancels and interruptions apart', () => {
    events.updated(job({ id: 1, state: 'failed', error: { code: 'TIMED_OUT', message: 't' } }));
    events.updated(job({ id: 2, state: 'failed', error: { code: 'RESTIC_FAILED', message: 'f' } }));
    events.updated(job({ id: 3, state: 'canceled' }));
    events.updated(job({ id: 4, state: 'interrupted' }));
    expect(outbox.names()).toEqual([
      'job.timed-out',
      'job.failed',
      'job.canceled',
      'job.interrupted',
    ]);
  });

  it('follows whether repositories are reachable, telling each change once', () => {
    const failed = {
      state: 'failed' as const,
      error: { code: 'BACKEND_UNREACHABLE', message: 'x' },
    };
    events.updated(
      job({
        id: 1,
        ...failed,
        steps: [step('nas', 'failed', 'BACKEND_UNREACHABLE'), step('usb', 'succeeded')],
      }),
    );
    events.updated(
      job({ id: 2, ...failed, steps: [step('nas', 'failed', 'BACKEND_UNREACHABLE')] }),
    );
    events.updated(job({ id: 3, state: 'succeeded', steps: [step('nas', 'succeeded')] }));
    expect(outbox.names()).toEqual([
      'job.failed',
      'repository.unreachable nas',
      'job.failed',
      'job.succeeded',
      'repository.reachable nas',
    ]);
  });

  it('tells a check that found damage', () => {
    const check = job({
      operation: 'check',
      backup: null,
      repository: 'nas',
      state: 'failed',
      error: { code: 'RESTIC_FAILED', message: 'repository contains errors' },
      steps: [step('nas', 'failed', 'RESTIC_FAILED')],
    });
    events.updated(check);
    expect(outbox.names()).toEqual(['job.failed nas', 'check.damage nas']);
    events.updated({ ...check, id: 2, error: { code: 'WRONG_PASSWORD', message: 'w' } });
    expect(outbox.names()).toEqual(['job.failed nas', 'check.damage nas', 'job.failed nas']);
  });
});
