import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SEND_STALL_MS, SLOW_CLIENT_CLOSE_CODE } from '../../src/api/websocket-outbox';
import { Daemon, writeConfigFile } from './support/daemon';
import { GraphQLTestClient } from './support/graphql-client';
import { writeRandomFiles } from './support/fixtures';
import { endOfJob, waitForJobs } from './support/wait';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const LINES = 2_000;
const LINE_BYTES = 1_000;
/** Subscriptions of the client that stops reading: each would hold every line if nothing bounded it. */
const SLOW_SUBSCRIPTIONS = 200;
const MB = 1024 * 1024;

/** A hook that prints LINES lines of LINE_BYTES (about 2 MB) at once. */
const CHATTY_HOOK = `let t = ''; for (let i = 0; i < ${LINES}; i++) t += 'line ' + i + ' ' + 'x'.repeat(${LINE_BYTES}) + '\\n'; process.stdout.write(t);`;

const rssBytes = (pid: number): number =>
  Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

const LOGS = 'subscription($id: ID!) { jobLogs(jobId: $id) { seq time level path message } }';

/**
 * A graphql-ws client that stops reading (its TCP socket paused) while 200 replays of a 2 MB job
 * log are sent to it, against the built daemon: the daemon closes it with 1008 after the stall
 * time, a client that keeps reading gets every line meanwhile, and the daemon's memory stays
 * within a bound.
 */
describe('a websocket client that stops reading', () => {
  const dir = tempDir('e2e-slow-reader');
  let daemon: Daemon;
  let client: GraphQLTestClient;
  let port: number;

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 2, 1024);
    const written = await writeConfigFile(dir.path, {
      // the lines are not echoed to stdout: the measure is of what the daemon holds for clients
      log: { level: 'warn' },
      repositories: { local: { location: join(dir.path, 'repo'), password: 'slow-reader-pw' } },
      backups: {
        chatty: {
          paths: [join(dir.path, 'data')],
          repositories: ['local'],
          hooks: {
            before: [
              {
                type: 'command',
                command: [process.execPath, '-e', CHATTY_HOOK],
                timeout: '2m',
              },
            ],
          },
        },
      },
    });
    port = written.port;
    daemon = Daemon.spawn(['--config', written.configPath], {}, 'dist');
    client = new GraphQLTestClient(port);
    // at level warn the daemon does not say it listens: ask
    await waitFor(
      () =>
        client.request('{ status { version } }').then(
          () => true,
          () => false,
        ),
      'the daemon to answer',
      60_000,
    );
    await waitForJobs(client, 'INIT', 1);
  });

  afterAll(async () => {
    await client?.close();
    await daemon?.stop();
    dir.cleanup();
  });

  it('is closed with 1008 while a reading client gets every line, and the daemon memory stays bounded', async () => {
    const { runBackup } = await client.data<{ runBackup: { id: string } }>(
      'mutation { runBackup(name: "chatty") { id } }',
    );
    const variables = { id: runBackup.id };
    const reader = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    // the job's end, as a client waits for it
    const state = await endOfJob(reader, runBackup.id);
    expect(state).toBe('SUCCEEDED');
    const idle = rssBytes(daemon.pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(daemon.pid))), 100);
    try {
      // the client that stops reading, at the protocol level so that its socket can be paused
      const slow = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
      const slowMessages: string[] = [];
      slow.on('message', (data) => slowMessages.push((data as Buffer).toString('utf8', 0, 100)));
      const slowClosed = new Promise<{ code: number; reason: string }>((resolve) =>
        slow.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      await new Promise((resolve) => slow.once('open', resolve));
      slow.send(JSON.stringify({ type: 'connection_init' }));
      await waitFor(() => slowMessages.includes('{"type":"connection_ack"}'), 'connection_ack');
      for (let i = 0; i < SLOW_SUBSCRIPTIONS; i++) {
        const subscribe = {
          id: `slow-${i}`,
          type: 'subscribe',
          payload: { query: LOGS, variables },
        };
        slow.send(JSON.stringify(subscribe));
      }
      slow.pause();
      const paused = Date.now();

      // a client that keeps reading the same log, with the same selection, meanwhile
      const seqs: number[] = [];
      let hookLines = 0;
      await new Promise<void>((resolve, reject) =>
        reader.subscribe<{ jobLogs: { seq: number; message: string } }>(
          { query: LOGS, variables },
          {
            next: ({ data }) => {
              seqs.push(data!.jobLogs.seq);
              if (data!.jobLogs.message.startsWith('line ')) hookLines++;
            },
            error: reject,
            complete: resolve,
          },
        ),
      );
      await reader.dispose();

      await waitFor(
        () => daemon.stdout.some((l) => l.includes('a websocket client that stopped reading')),
        'the daemon to drop the client that stopped reading',
        30_000,
      );
      const droppedAfterMs = Date.now() - paused;
      // read what was sent before the close, then the close frame
      slow.resume();
      const closed = await slowClosed;

      expect(closed).toEqual({
        code: SLOW_CLIENT_CLOSE_CODE,
        reason: expect.stringMatching(/^the client read too slowly/),
      });
      // the replay fills the buffer at once; then the stall time runs
      expect(droppedAfterMs).toBeLessThan(SEND_STALL_MS + 10_000);
      expect(hookLines).toBe(LINES);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // +52 MB measured: a page of each replay (100 lines of 1 KB) and what the kernel's socket
      // buffers took. Before the writer stopped pulling for a closing socket, every replay was
      // read and executed to its end once the socket was closed: +700 MB and 30 s of CPU.
      expect((peak - idle) / MB).toBeLessThan(120);
    } finally {
      clearInterval(sampler);
    }
  }, 60_000);
});
