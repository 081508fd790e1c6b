import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { waitForEnd, waitForJobs, waitForProgress } from './support/wait';
import { waitFor } from '../support/wait-for';

const LOG_FIELDS = 'jobId seq time level path message';
const JOB_LOGS = `subscription($id: ID!, $after: String) { jobLogs(jobId: $id, after: $after) { ${LOG_FIELDS} } }`;
const JOB_UPDATED = `subscription($filter: JobFilterInput) {
  jobUpdated(filter: $filter) { id state updatedAt progress { jobPercent complete } } }`;

interface LogLine {
  jobId: string;
  seq: number;
  message: string;
}

/** A graphql-ws client as a dashboard makes one: retrying when the connection drops. */
function wsClient(port: number): Client {
  return createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 20,
    retryWait: () => new Promise((r) => setTimeout(r, 200)),
    shouldRetry: () => true,
  });
}

/** Collects a subscription until it completes; rejects on an error. */
function collect<T>(client: Client, query: string, variables: Record<string, unknown>) {
  const events: T[] = [];
  const done = new Promise<T[]>((resolve, reject) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          else events.push(value.data as T);
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => resolve(events),
      },
    );
  });
  return { events, done };
}

/**
 * Follows a job's log as a client that survives dropped connections should: remembers the last
 * `seq` and, when the socket closes, subscribes again after it.
 */
function followLogs(client: Client, jobId: string) {
  const lines: LogLine[] = [];
  let last = 0;
  let generation = 0;
  let resumes = 0;
  let stopped = false;
  const done = new Promise<LogLine[]>((resolve, reject) => {
    let dispose = () => {};
    const start = () => {
      const mine = ++generation;
      dispose = client.subscribe<{ jobLogs: LogLine }>(
        { query: JOB_LOGS, variables: { id: jobId, after: last ? String(last) : null } },
        {
          next: ({ data }) => {
            if (mine !== generation) return;
            lines.push(data!.jobLogs);
            last = data!.jobLogs.seq;
          },
          error: (error) => {
            if (mine !== generation) return;
            stopped = true;
            reject(new Error(JSON.stringify(error)));
          },
          complete: () => {
            if (mine !== generation) return;
            stopped = true;
            resolve(lines);
          },
        },
      );
    };
    client.on('closed', () => {
      if (stopped || !lines.length) return;
      // the subscription as first sent would replay from its old position: resume instead
      generation++;
      resumes++;
      dispose();
      setTimeout(start, 50);
    });
    start();
  });
  return {
    lines,
    done,
    resumes: () => resumes,
    stop: () => {
      stopped = true;
      generation++;
    },
  };
}

/** A TCP relay to the daemon whose connections the test can cut, as a flaky network would. */
async function relay(port: number): Promise<{ port: number; cut: () => void; close: () => void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Subscriptions that catch up: current state first, replay by sequence, completion at the end. */
describe('subscriptions that catch up', () => {
  const dir = tempDir('e2e-subscriptions');
  let started: StartedDaemon;
  let client: Client;

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'tiny'), 1, 512);
    writeRandomFiles(join(dir.path, 'slow'), 4, 256 * 1024);
    writeRandomFiles(join(dir.path, 'dropped'), 4, 256 * 1024);
    started = await startDaemon(dir.path, {
      repositories: {
        local: { location: join(dir.path, 'repo'), password: 'subscriptions-test-password' },
      },
      backups: {
        tiny: { paths: [join(dir.path, 'tiny')], repositories: ['local'] },
        slow: {
          paths: [join(dir.path, 'slow')],
          repositories: ['local'],
          limits: { upload: '128K' },
        },
        dropped: {
          paths: [join(dir.path, 'dropped')],
          repositories: ['local'],
          limits: { upload: '128K' },
        },
      },
    });
    await waitForJobs(started.client, 'INIT', 1);
    client = wsClient(started.port);
  }, 60_000);

  afterAll(async () => {
    await client?.dispose();
    await started?.stop();
    dir.cleanup();
  });

  const run = async (name: string) =>
    (await started.client.data(`mutation($n: String!) { runBackup(name: $n) { id } }`, { n: name }))
      .runBackup.id as string;
  const storedLog = async (id: string): Promise<LogLine[]> =>
    (
      await started.client.data(
        `query($id: ID!) { job(id: $id) { logs(first: 500) { edges { node { ${LOG_FIELDS} } } } } }`,
        { id },
      )
    ).job.logs.edges.map((e: { node: LogLine }) => e.node);

  it('gives every line once and the current state first, however the subscription races the job (20 runs)', async () => {
    for (let round = 0; round < 20; round++) {
      const id = await run('tiny');
      // from at once (the job is starting) to well after the job ended
      await new Promise((r) => setTimeout(r, [0, 0, 5, 50, 300, 1500][round % 6]));
      const logs = collect<{ jobLogs: LogLine }>(client, JOB_LOGS, { id });
      const updates = collect<{ jobUpdated: any }>(client, JOB_UPDATED, { filter: { id } });
      const [lines, states] = await Promise.all([logs.done, updates.done]);
      const stored = await storedLog(id);
      expect({ round, lines: lines.map((l) => l.jobLogs) }).toEqual({ round, lines: stored });
      expect(stored.map((l) => l.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(stored.at(-1)!.message).toMatch(/^ended succeeded/);
      const jobs = states.map((s) => s.jobUpdated);
      expect(jobs.every((j) => j.id === id)).toBe(true);
      expect(jobs.at(-1)).toMatchObject({ state: 'SUCCEEDED', progress: { complete: true } });
      expect(jobs.filter((j) => j.state === 'SUCCEEDED')).toHaveLength(1);
      const times = jobs.map((j) => j.updatedAt);
      expect(times).toEqual([...times].sort());
    }
  }, 120_000);

  it('follows the whole queue from before a job is queued: current jobs first, then changes', async () => {
    // the earlier backups' follow-up jobs (snapshot indexing, on idle) end first, so that the
    // blocker is the only job running when the subscription starts
    await waitForJobs(started.client, [], 1);
    const blocker = await run('slow');
    await waitForProgress(started.client, blocker);
    const queue = collect<{ jobUpdated: any }>(client, JOB_UPDATED, {});
    // the running job, sent first, shows the subscription is in place
    await waitFor(() => queue.events.length > 0, 'the current jobs', 30_000);
    const id = await run('tiny');
    const events = queue.events;
    await waitForEnd(started.client, id);
    await waitForEnd(started.client, blocker, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    const jobs = events.map((e) => e.jobUpdated);
    // the running job comes first, as it was when the subscription started
    expect(jobs[0]).toMatchObject({ id: blocker, state: 'RUNNING' });
    const states = (jobId: string) =>
      jobs
        .filter((j) => j.id === jobId)
        .map((j) => j.state)
        .filter((s, i, all) => s !== all[i - 1]);
    expect(states(id)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(states(blocker)).toEqual(['RUNNING', 'SUCCEEDED']);
    const percents = jobs
      .filter((j) => j.id === blocker && j.progress)
      .map((j) => j.progress.jobPercent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  }, 90_000);

  it('replays the whole log of an ended job and completes; jobUpdated gives its final state and completes', async () => {
    const id = await run('tiny');
    await waitForEnd(started.client, id);
    const stored = await storedLog(id);
    const all = await collect<{ jobLogs: LogLine }>(client, JOB_LOGS, { id }).done;
    expect(all.map((l) => l.jobLogs)).toEqual(stored);
    const tail = await collect<{ jobLogs: LogLine }>(client, JOB_LOGS, { id, after: '2' }).done;
    expect(tail.map((l) => l.jobLogs)).toEqual(stored.slice(2));
    const states = await collect<{ jobUpdated: any }>(client, JOB_UPDATED, { filter: { id } }).done;
    expect(states.map((s) => s.jobUpdated.state)).toEqual(['SUCCEEDED']);
    const missing = await collect(client, JOB_LOGS, { id: '999999' }).done.catch(
      (error: Error) => error.message,
    );
    expect(missing).toContain('NOT_FOUND');
  });

  it('after a dropped connection, resumes with the last sequence and ends with exactly the stored log', async () => {
    const network = await relay(started.port);
    const flaky = wsClient(network.port);
    let follower: ReturnType<typeof followLogs> | undefined;
    try {
      const id = await run('dropped');
      follower = followLogs(flaky, id);
      await waitForProgress(started.client, id);
      await new Promise((r) => setTimeout(r, 200));
      expect(follower.lines.length).toBeGreaterThan(0);
      network.cut();
      const lines = await follower.done;
      expect(follower.resumes()).toBeGreaterThanOrEqual(1);
      const stored = await storedLog(id);
      expect(lines).toEqual(stored);
      expect(stored.at(-1)!.message).toMatch(/^ended succeeded/);
    } finally {
      follower?.stop();
      await flaky.dispose();
      network.close();
    }
  }, 90_000);
});
