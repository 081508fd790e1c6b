import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { tempDir } from '../support/temp-dir';
import type { GraphQLTestClient } from './support/graphql-client';
import { waitFor } from '../support/wait-for';

/** A daemon that works by itself: a 5 s schedule, a file watcher, and hooks around each backup. */
describe('schedules, watchers and hooks, seen through GraphQL', () => {
  const dir = tempDir('e2e-triggers');
  const hookCalls: { method: string; url: string; body: string }[] = [];
  let hookServer: Server;
  let started: StartedDaemon;
  let client: GraphQLTestClient;

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'scheduled'));
    writeFileSync(join(dir.path, 'scheduled', 'a.txt'), 'scheduled data');
    mkdirSync(join(dir.path, 'watched'));
    writeFileSync(join(dir.path, 'watched', 'first.txt'), 'watched data');

    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        hookCalls.push({ method: req.method!, url: req.url!, body });
        res.end('dumped');
      });
    });
    hookServer.listen(0, '127.0.0.1');
    await new Promise((r) => hookServer.once('listening', r));
    const hookPort = (hookServer.address() as { port: number }).port;

    started = await startDaemon(dir.path, {
      repositories: {
        local: { location: join(dir.path, 'repo'), password: 'triggers-password' },
      },
      backups: {
        scheduled: {
          paths: [join(dir.path, 'scheduled')],
          repositories: ['local'],
          schedules: ['5s'],
          hooks: {
            before: [
              {
                type: 'http',
                url: `http://127.0.0.1:${hookPort}/dump`,
                method: 'POST',
                body: 'go',
              },
            ],
            after: [
              {
                type: 'command',
                command: ['sh', '-c', 'echo "after hook saw $HEN_BACKUP_STATUS"'],
              },
            ],
          },
        },
        watched: {
          paths: [join(dir.path, 'watched')],
          repositories: ['local'],
          watch: { wait: { min: '1s', max: '10s' } },
        },
      },
    });
    client = started.client;
  });

  afterAll(async () => {
    await started?.stop();
    hookServer?.close();
    dir.cleanup();
  });

  it('runs a backup every 5 s by itself, with trigger SCHEDULE, and shows when the next one is due', async () => {
    const updates = await client.subscribe(
      `subscription { jobUpdated(filter: { backup: "scheduled", states: [SUCCEEDED] }) { id trigger state } }`,
    );
    const events = await updates.until((e) => e.length >= 2, 40_000);
    updates.close();
    expect(events.slice(0, 2).map((e: any) => [e.jobUpdated.trigger, e.jobUpdated.state])).toEqual([
      ['SCHEDULE', 'SUCCEEDED'],
      ['SCHEDULE', 'SUCCEEDED'],
    ]);
    const { jobs } = await client.data(
      `{ jobs(filter: { triggers: [SCHEDULE], backup: "scheduled" }) { edges { node { id trigger } } } }`,
    );
    expect(jobs.edges.length).toBeGreaterThanOrEqual(2);
    const { backup } = await client.data(
      `{ backup(name: "scheduled") { schedules lastJob { trigger state } } }`,
    );
    expect(backup.schedules).toEqual(['5s']);
    expect(backup.lastJob.trigger).toBe('SCHEDULE');
    // Between runs the next one is announced, about 5 s after the last ended.
    let nextRunAt: string | null = null;
    await waitFor(
      async () => {
        ({ nextRunAt } = (await client.data(`{ backup(name: "scheduled") { nextRunAt } }`)).backup);
        return nextRunAt !== null;
      },
      'nextRunAt of the scheduled backup',
      10_000,
    );
    expect(nextRunAt).not.toBeNull();
    const dueIn = Date.parse(nextRunAt!) - Date.now();
    expect(dueIn).toBeGreaterThan(-1000);
    expect(dueIn).toBeLessThanOrEqual(5000);
  });

  it('runs the hooks once per job, as steps, with their output in the job log', async () => {
    const { jobs } = await client.data(
      `{ jobs(first: 1, filter: { backup: "scheduled", states: [SUCCEEDED] }) { edges { node { id steps { name kind state } logs { edges { node { message } } } } } } }`,
    );
    const job = jobs.edges[0].node;
    expect(job.steps.map((s: any) => [s.kind, s.state])).toEqual([
      ['HOOK', 'SUCCEEDED'],
      ['RESTIC', 'SUCCEEDED'],
      ['HOOK', 'SUCCEEDED'],
    ]);
    expect(job.steps[0].name).toMatch(/^before\[0\] http POST/);
    const messages = job.logs.edges.map((e: any) => e.node.message).join('\n');
    expect(messages).toContain('after hook saw success');
    expect(hookCalls.length).toBeGreaterThanOrEqual(2);
    expect(hookCalls[0]).toEqual({ method: 'POST', url: '/dump', body: 'go' });
  });

  it('backs up a watched folder once its changes settle, with trigger WATCH', async () => {
    const before = await client.data(
      `{ jobs(filter: { backup: "watched" }) { edges { node { id } } } }`,
    );
    expect(before.jobs.edges).toEqual([]);
    const updates = await client.subscribe(
      `subscription { jobUpdated(filter: { backup: "watched" }) { id trigger state snapshotIds } }`,
    );
    for (let i = 0; i < 50; i++)
      writeFileSync(join(dir.path, 'watched', `burst-${i}.txt`), `change ${i}`);
    appendFileSync(join(dir.path, 'watched', 'first.txt'), ' and more');
    const events = await updates.until(
      (e) => e.some((x: any) => x.jobUpdated.state === 'SUCCEEDED'),
      40_000,
    );
    updates.close();
    const done = events.map((e: any) => e.jobUpdated).find((j: any) => j.state === 'SUCCEEDED');
    expect(done.trigger).toBe('WATCH');
    expect(done.snapshotIds).toHaveLength(1);
    // one burst of 51 changes gave exactly one job
    const { jobs } = await client.data(
      `{ jobs(filter: { backup: "watched" }) { edges { node { id trigger } } } }`,
    );
    expect(jobs.edges.map((e: any) => e.node.trigger)).toEqual(['WATCH']);
  });
});
