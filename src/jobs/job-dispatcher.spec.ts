import type { HenConfig } from '../config/config.types';
import { PRIORITY } from '../config/priority';
import { JobDispatcher } from './job-dispatcher';
import type { JobHandler } from './job-handler';
import { JobHandlers } from './job-handlers';
import { backupLock, repositoryLock } from './job-locks';
import type { Job, JobRequest } from './job.types';

const handler = (operation: JobHandler['operation'], takesNoSlot = false): JobHandler => ({
  operation,
  takesNoSlot,
  locks: (job: Job) =>
    operation === 'backup'
      ? [backupLock(job.backup!), repositoryLock('r', 'shared')]
      : [repositoryLock(job.repository ?? 'r', 'exclusive')],
  run: () => Promise.resolve(),
});

describe('JobDispatcher', () => {
  let dispatcher: JobDispatcher;
  let nextId: number;
  const add = (fields: Partial<Job>) => {
    const job = {
      id: nextId++,
      operation: 'backup',
      backup: null,
      repository: null,
      priority: PRIORITY.normal,
      params: {},
      state: 'queued',
      ...fields,
    } as Job;
    dispatcher.add(job);
    return job;
  };
  const request = (fields: Partial<JobRequest>): JobRequest => ({
    operation: 'backup',
    trigger: 'api',
    priority: PRIORITY.normal,
    ...fields,
  });

  beforeEach(() => {
    const handlers = new JobHandlers();
    handlers.register(handler('backup'));
    handlers.register(handler('check'));
    handlers.register(handler('unlock', true));
    dispatcher = new JobDispatcher(handlers);
    nextId = 1;
  });

  it('merges a request with the identical waiting job, raising its priority only upwards', () => {
    const pics = add({ backup: 'pics' });
    expect(dispatcher.merge(request({ backup: 'docs' }))).toBeUndefined();
    expect(dispatcher.merge(request({ backup: 'pics', priority: PRIORITY.inferior }))).toEqual({
      job: pics,
      raised: false,
    });
    expect(pics.priority).toBe(PRIORITY.normal);
    expect(dispatcher.merge(request({ backup: 'pics', priority: PRIORITY.next }))).toEqual({
      job: pics,
      raised: true,
    });
    expect(pics.priority).toBe(PRIORITY.next);
  });

  it('orders waiting jobs by priority, then arrival', () => {
    add({ backup: 'a' });
    add({ backup: 'b', priority: PRIORITY.superior });
    add({ backup: 'c' });
    expect(dispatcher.ordered().map((j) => j.backup)).toEqual(['b', 'a', 'c']);
  });

  it('names the waiting jobs a configuration orphans', () => {
    add({ backup: 'kept' });
    const gone = add({ backup: 'gone' });
    const check = add({ operation: 'check', repository: 'old' });
    const config = {
      backups: { kept: {} },
      repositories: { r: {} },
    } as unknown as HenConfig;
    expect(dispatcher.orphans(config)).toEqual([
      { job: gone, gone: 'backup "gone"' },
      { job: check, gone: 'repository "old"' },
    ]);
  });

  it("starts what the handlers' locks and the concurrency allow, in order", () => {
    add({ backup: 'a' });
    add({ operation: 'check', repository: 'r' });
    add({ backup: 'b' });
    add({ operation: 'unlock', repository: 'x' });
    // one slot: backup a starts; the check waits for r and keeps b from starting before it;
    // the unlock takes no slot
    expect(dispatcher.startable([], 1).map((c) => c.job.id)).toEqual([1, 4]);
    // nothing removed: the runner takes them out as it starts them
    expect(dispatcher.size).toBe(4);
  });
});
