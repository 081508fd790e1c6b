import { Logger } from '@nestjs/common';
import type { LiveConfig } from '../config/live-config';
import { PRIORITY } from '../config/priority';
import type { JobEvents } from '../jobs/job-events';
import type { JobRunner } from '../jobs/job-runner.service';
import type { Job, JobRequest } from '../jobs/job.types';
import { IndexFollowUp } from './index-follow-up';
import type { IndexState, SnapshotIndexService } from './snapshot-index.service';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('IndexFollowUp', () => {
  let queued: JobRequest[];
  let states: Map<string, IndexState>;
  let behind: Set<string>;
  let finished: (job: Job) => void;
  let handOver: () => void;
  let handedOver: Promise<void>;
  let followUp: IndexFollowUp;

  const ended = (repository: string, state: Job['state']) =>
    finished({
      operation: 'index',
      repository,
      state,
      steps: [],
      snapshotIds: [],
    } as unknown as Job);

  beforeEach(() => {
    queued = [];
    states = new Map();
    behind = new Set();
    handedOver = new Promise((resolve) => (handOver = resolve));
    followUp = new IndexFollowUp(
      { current: { repositories: { r: {}, s: {} } } } as unknown as LiveConfig,
      { enqueue: (request: JobRequest) => queued.push(request) } as unknown as JobRunner,
      {
        onFinished: (listener: (job: Job) => void) => {
          finished = listener;
          return () => undefined;
        },
        handedOver: () => handedOver,
      } as unknown as JobEvents,
      {
        state: (repository: string, id: string) =>
          states.get(`${repository}:${id}`) ?? 'not-indexed',
        behind: (repository: string) => Promise.resolve(behind.has(repository)),
      } as unknown as SnapshotIndexService,
    );
    followUp.onApplicationBootstrap();
  });

  it('queues the index job, on idle, for a snapshot browsed before it was indexed, once', () => {
    followUp.browsedUnindexed('r', A);
    followUp.browsedUnindexed('r', A);
    expect(queued).toEqual([
      { operation: 'index', repository: 'r', trigger: 'api', priority: PRIORITY['on-idle'] },
    ]);
    // indexed meanwhile, or evicted by the size ceiling (never indexed again): nothing to ask
    states.set(`r:${B}`, 'evicted');
    followUp.browsedUnindexed('r', B);
    states.set(`s:${B}`, 'indexed');
    followUp.browsedUnindexed('s', B);
    // a repository no longer configured
    followUp.browsedUnindexed('gone', B);
    expect(queued).toHaveLength(1);
  });

  it('asks again after the index job failed, not after it was canceled', () => {
    followUp.browsedUnindexed('r', A);
    ended('r', 'canceled');
    followUp.browsedUnindexed('r', A);
    expect(queued).toHaveLength(1);
    ended('s', 'failed'); // another repository's failure changes nothing here
    followUp.browsedUnindexed('r', A);
    expect(queued).toHaveLength(1);
    ended('r', 'failed');
    followUp.browsedUnindexed('r', A);
    expect(queued).toHaveLength(2);
  });

  it('compares every repository with the index when asked at start (read-only daemons)', async () => {
    behind.add('s');
    followUp.catchUpAll('startup');
    await new Promise((resolve) => setImmediate(resolve));
    expect(queued).toEqual([
      { operation: 'index', repository: 's', trigger: 'startup', priority: PRIORITY['on-idle'] },
    ]);
  });

  const backedUp = (extra: Partial<Job> = {}) =>
    finished({
      operation: 'backup',
      repository: null,
      state: 'succeeded',
      steps: [{ repository: 'r' }, { repository: 's' }, { repository: 'r' }],
      snapshotIds: [A, B],
      ...extra,
    } as unknown as Job);
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it("queues a backup's repositories' index jobs once its end has reached the subscribers", async () => {
    backedUp();
    await settled();
    expect(queued).toEqual([]);
    handOver();
    await settled();
    expect(queued).toEqual([
      { operation: 'index', repository: 'r', trigger: 'follow-up', priority: PRIORITY['on-idle'] },
      { operation: 'index', repository: 's', trigger: 'follow-up', priority: PRIORITY['on-idle'] },
    ]);
  });

  it('queues nothing for a backup that made no snapshot', async () => {
    backedUp({ snapshotIds: [] });
    handOver();
    await settled();
    expect(queued).toEqual([]);
  });

  it('queues nothing once the daemon is stopping', async () => {
    backedUp();
    followUp.onModuleDestroy();
    handOver();
    await settled();
    expect(queued).toEqual([]);
  });

  it('logs an index job it could not queue and queues the others', async () => {
    const enqueue = jest
      .fn()
      .mockImplementationOnce(() => {
        throw new Error('database is closed');
      })
      .mockImplementation((request: JobRequest) => queued.push(request));
    (followUp as unknown as { runner: { enqueue: unknown } }).runner.enqueue = enqueue;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    backedUp();
    handOver();
    await settled();
    expect(queued.map((request) => request.repository)).toEqual(['s']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({
      msg: 'snapshot index: could not queue the index job of repository "r": database is closed',
      repository: 'r',
    });
    warn.mockRestore();
  });
});
