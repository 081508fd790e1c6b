import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseExposition, valueOf } from '../support/exposition';
import { RecordingHttpServer } from '../support/servers/recording-http-server';
import { Daemon, startDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd } from './support/wait';
import { waitFor } from '../support/wait-for';

const BODY = '{"event":{{json event}},"job":{{json jobId}} }';
const EVENTS = ['job.queued', 'job.started', 'job.succeeded'];

async function metric(port: number, name: string, target: string, result?: string) {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const labels: Record<string, string> = { target };
  if (result) labels.result = result;
  return valueOf(parseExposition(await response.text()), name, labels) ?? 0;
}

async function backup(client: GraphQLTestClient): Promise<number> {
  const { runBackup } = await client.data(`mutation { runBackup(name: "docs") { id number } }`);
  expect((await waitForEnd(client, runBackup.id)).state).toBe('SUCCEEDED');
  return runBackup.number as number;
}

/** What a receiver got, as `job:event` in the order it arrived. */
const received = (server: RecordingHttpServer, path: string) =>
  server.on(path).map((r) => {
    const body = JSON.parse(r.body) as { event: string; job: number };
    return `${body.job}:${body.event}`;
  });

const expected = (jobs: number[]) => jobs.flatMap((id) => EVENTS.map((e) => `${id}:${e}`));

describe('notification delivery: a receiver down then up, and a SIGKILL with notifications pending', () => {
  const dir = tempDir('e2e-notify-delivery');
  const flaky = new RecordingHttpServer();
  const steady = new RecordingHttpServer();
  let daemon: Daemon;
  let client: GraphQLTestClient;
  let port: number;
  let configPath: string;
  const jobs: number[] = [];

  beforeAll(async () => {
    await Promise.all([flaky.up(), steady.up()]);
    writeRandomFiles(join(dir.path, 'data'), 2, 4096);
    const target = (server: RecordingHttpServer, path: string) => ({
      type: 'webhook',
      url: server.url(path),
      body: BODY,
      events: EVENTS,
      backups: ['docs'],
    });
    ({ daemon, client, port, configPath } = await startDaemon(dir.path, {
      repositories: { local: { location: join(dir.path, 'repo'), password: 'delivery-pw' } },
      backups: { docs: { paths: [join(dir.path, 'data')], repositories: ['local'] } },
      notifications: {
        retry: { initialDelay: '200ms', maxDelay: '1s', maxAttempts: 10_000 },
        targets: { flaky: target(flaky, '/flaky'), steady: target(steady, '/steady') },
      },
    }));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await daemon?.stop();
    await Promise.all([flaky.close(), steady.close()]);
    dir.cleanup();
  });

  it('delivers everything in order, once, when the receiver comes back; the other target is not held up', async () => {
    await flaky.down();
    for (let i = 0; i < 3; i++) jobs.push(await backup(client));
    // the receiver that stayed up has everything while the other is still down
    await waitFor(() => steady.on('/steady').length === 9, 'steady deliveries', 30_000);
    expect(received(steady, '/steady')).toEqual(expected(jobs));
    await waitFor(
      async () =>
        (await metric(port, 'hen_backup_notification_deliveries_total', 'flaky', 'failed')) >= 2,
      'failed attempts',
      30_000,
    );
    expect(await metric(port, 'hen_backup_notifications_pending', 'flaky')).toBe(9);
    expect(await metric(port, 'hen_backup_notifications_pending', 'steady')).toBe(0);
    expect(
      daemon.stdout.some((l) => /notification \d+ \(job.queued\) to flaky failed/.test(l)),
    ).toBe(true);

    await flaky.up();
    await waitFor(() => flaky.on('/flaky').length >= 9, 'flaky deliveries', 30_000);
    await new Promise((r) => setTimeout(r, 1_500)); // a duplicate would come within a retry delay
    expect(received(flaky, '/flaky')).toEqual(expected(jobs));
    expect(await metric(port, 'hen_backup_notifications_pending', 'flaky')).toBe(0);
    expect(await metric(port, 'hen_backup_notification_deliveries_total', 'flaky', 'sent')).toBe(9);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('hen_backup_notifications_pending{');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('delivers after a restart what was pending when the daemon was SIGKILLed', async () => {
    await flaky.down();
    jobs.push(await backup(client));
    await waitFor(
      async () => (await metric(port, 'hen_backup_notifications_pending', 'flaky')) === 3,
      'three pending',
      30_000,
    );
    await client.close();
    daemon.kill('SIGKILL');
    await daemon.exited;
    await flaky.up();
    daemon = await Daemon.start(configPath);
    client = new GraphQLTestClient(port);
    await waitFor(() => flaky.on('/flaky').length >= 12, 'deliveries after restart', 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received(flaky, '/flaky')).toEqual(expected(jobs));
    expect(received(steady, '/steady')).toEqual(expected(jobs));
  });
});

describe('notification delivery: a hanging receiver', () => {
  const dir = tempDir('e2e-notify-hang');
  const hanging = new RecordingHttpServer();
  const steady = new RecordingHttpServer();

  afterAll(async () => {
    await Promise.all([hanging.close(), steady.close()]);
    dir.cleanup();
  });

  it('delays neither the next backup nor the other targets, nor the daemon stopping', async () => {
    await Promise.all([hanging.up(), steady.up()]);
    hanging.hang();
    writeRandomFiles(join(dir.path, 'data'), 2, 4096);
    const target = (server: RecordingHttpServer, path: string) => ({
      type: 'webhook',
      url: server.url(path),
      body: BODY,
      events: ['job.succeeded'],
      backups: ['docs'],
      timeout: '10m',
    });
    const started = await startDaemon(dir.path, {
      repositories: { local: { location: join(dir.path, 'repo'), password: 'hang-pw' } },
      backups: { docs: { paths: [join(dir.path, 'data')], repositories: ['local'] } },
      notifications: {
        targets: { stuck: target(hanging, '/stuck'), steady: target(steady, '/steady') },
      },
    });
    try {
      await expectNotHeldUp(started.client, started.port);
    } finally {
      // the daemon stops although a delivery still waits for its answer
      expect((await started.stop()).code).toBe(0);
    }
  });

  async function expectNotHeldUp(client: GraphQLTestClient, port: number): Promise<void> {
    const first = await backup(client);
    const second = await backup(client);
    await waitFor(() => steady.on('/steady').length === 2, 'steady deliveries', 30_000);
    expect(received(steady, '/steady')).toEqual([
      `${first}:job.succeeded`,
      `${second}:job.succeeded`,
    ]);
    // the first notification to the hanging receiver is still waiting for its answer
    expect(hanging.on('/stuck')).toHaveLength(0);
    expect(await metric(port, 'hen_backup_notifications_pending', 'stuck')).toBe(2);
  }
});
