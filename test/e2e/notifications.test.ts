import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingHttpServer } from '../support/servers/recording-http-server';
import { SmtpReceiver } from '../support/servers/smtp-receiver';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { freePort } from '../support/servers/server-process';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd } from './support/wait';
import { waitFor } from '../support/wait-for';

const ADMIN_TOKEN = 'notify-admin-token-0123456789';
const VIEWER_TOKEN = 'notify-viewer-token-0123456789';

/**
 * Notifications reach real receivers on loopback: an HTTP server recording webhook, ntfy, Gotify,
 * healthchecks and Uptime Kuma requests, and a real SMTP server (TLS, auth) receiving the mail.
 * Each event reaches exactly the targets whose filters match, once.
 */
describe('notifications: each outcome reaches exactly the matching targets', () => {
  const dir = tempDir('e2e-notify');
  const http = new RecordingHttpServer();
  const smtp = new SmtpReceiver('hen-mailer', 'SeCrEt-smtp-password-Q8');
  const commandLog = join(dir.path, 'command-notifications.jsonl');
  let started: StartedDaemon;
  let admin: GraphQLTestClient;
  let viewer: GraphQLTestClient;

  beforeAll(async () => {
    await Promise.all([http.up(), smtp.start(dir.path)]);
    writeRandomFiles(join(dir.path, 'data'), 3, 4096);
    resticDirect(join(dir.path, 'broken'), 'the-real-password', ['init']);
    const docs = { backups: ['docs'] };
    const deadPort = await freePort();
    started = await startDaemon(
      dir.path,
      {
        hostname: 'notify-host',
        api: {
          tokens: [
            { name: 'admin', role: 'admin', token: ADMIN_TOKEN },
            { name: 'viewer', role: 'viewer', token: VIEWER_TOKEN },
          ],
        },
        repositories: {
          good: { location: join(dir.path, 'good'), password: 'good-repo-password' },
          broken: { location: join(dir.path, 'broken'), password: 'not-the-password' },
        },
        backups: {
          docs: { paths: [join(dir.path, 'data')], repositories: ['good'] },
          // never succeeds (its folder does not exist), so it becomes overdue
          late: { paths: [join(dir.path, 'missing')], repositories: ['good'], schedules: ['2s'] },
        },
        notifications: {
          retry: { initialDelay: '500ms', maxDelay: '2s' },
          targets: {
            chat: {
              type: 'webhook',
              preset: 'slack',
              url: http.url('/slack/T0001/B0002/slackhook1234'),
              events: ['backup.overdue'],
            },
            ops: {
              type: 'webhook',
              url: http.url('/ops'),
              headers: { 'X-Api-Key': 'SeCrEt-ops-key-7731' },
              body: '{"event":{{json event}},"repository":{{json repository}},"code":{{json errorCode}} }',
              events: ['job.failed'],
              operations: ['check'],
            },
            mail: {
              type: 'email',
              host: '127.0.0.1',
              port: smtp.port,
              security: 'tls',
              allowInvalidCertificate: true,
              username: 'hen-mailer',
              password: '${SMTP_PASSWORD}',
              from: 'hen <hen@notify-host.example>',
              to: ['admin@example.org'],
              subject: '[{{host}}] {{operation}} of {{repository}} {{state}}',
              events: ['job.failed'],
              operations: ['check'],
            },
            phone: {
              type: 'ntfy',
              url: http.url('/ntfy/hen-backups'),
              token: 'tk_SeCrEtntfy0099',
              events: ['job.succeeded'],
              ...docs,
            },
            gotify: {
              type: 'gotify',
              url: http.url('/gotify'),
              token: 'SeCrEt-gotify-app',
              events: ['job.succeeded', 'job.failed'],
              ...docs,
            },
            pings: { type: 'healthchecks', url: http.url('/hc/{{backup}}'), ...docs },
            kuma: { type: 'uptime-kuma', url: http.url('/kuma/push/KumaPush123'), ...docs },
            dead: {
              type: 'webhook',
              url: `http://127.0.0.1:${deadPort}/nobody`,
              events: ['check.damage'],
            },
            lifecycle: {
              type: 'webhook',
              url: http.url('/lifecycle'),
              body: '{"event":{{json event}},"detail":{{json detail}} }',
              events: ['daemon.started', 'config.reloaded', 'config.refused'],
            },
            script: {
              type: 'command',
              command: ['tee', '-a', commandLog],
              events: ['job.succeeded'],
              ...docs,
            },
          },
        },
      },
      // built: the bundle loads Handlebars and nodemailer at first use (scripts/bundle-daemon.ts)
      {
        env: { SMTP_PASSWORD: 'SeCrEt-smtp-password-Q8', HEN_BACKUP_OVERDUE_MIN_GRACE: '1s' },
        entry: 'dist',
      },
    );
    admin = new GraphQLTestClient(started.port, ADMIN_TOKEN);
    viewer = new GraphQLTestClient(started.port, VIEWER_TOKEN);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([admin?.close(), viewer?.close()]);
    await started?.stop();
    await Promise.all([http.close(), smtp.stop()]);
    dir.cleanup();
  });

  it('a backup that succeeds: ntfy, Gotify, healthchecks start and success, Uptime Kuma, the command', async () => {
    const { runBackup } = await admin.data(`mutation { runBackup(name: "docs") { id number } }`);
    const job = await waitForEnd(admin, runBackup.id);
    expect(job.state).toBe('SUCCEEDED');
    await waitFor(() => http.on('/hc/docs').length === 1, 'the success ping', 30_000);
    await waitFor(() => existsSync(commandLog), 'the command', 30_000);
    await waitFor(() => http.on('/kuma/push/KumaPush123').length === 1, 'the push', 30_000);
    await waitFor(() => http.on('/gotify/message').length === 1, 'the Gotify message', 30_000);
    await waitFor(() => http.on('/ntfy/hen-backups').length === 1, 'the ntfy message', 30_000);

    const [ntfy] = http.on('/ntfy/hen-backups');
    expect(ntfy.method).toBe('POST');
    expect(ntfy.headers.authorization).toBe('Bearer tk_SeCrEtntfy0099');
    expect(ntfy.headers.title).toBe('hen-backup on notify-host: job.succeeded');
    expect(ntfy.body).toContain(`backup docs (job ${runBackup.number}) succeeded`);

    const [gotify] = http.on('/gotify/message');
    expect(gotify.headers['x-gotify-key']).toBe('SeCrEt-gotify-app');
    expect(JSON.parse(gotify.body)).toMatchObject({ priority: 2 });

    expect(http.on('/hc/docs/start')).toHaveLength(1);
    expect(http.on('/hc/docs/fail')).toHaveLength(0);
    const [kuma] = http.on('/kuma/push/KumaPush123');
    expect(kuma.method).toBe('GET');
    expect(new URL(kuma.url, 'http://x').searchParams.get('status')).toBe('up');

    const lines = readFileSync(commandLog, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      event: 'job.succeeded',
      backup: 'docs',
      jobId: runBackup.number,
      host: 'notify-host',
    });
    // nothing about the backup went to the check-only targets
    expect(http.on('/ops')).toHaveLength(0);
  });

  it('a failing check: the webhook with its template and a mail through SMTP with TLS and auth, once each', async () => {
    const { checkRepository } = await admin.data(
      `mutation { checkRepository(name: "broken") { id number } }`,
    );
    const job = await waitForEnd(admin, checkRepository.id);
    expect(job.state).toBe('FAILED');
    await waitFor(() => http.on('/ops').length === 1, 'the webhook', 30_000);
    await waitFor(() => smtp.mails.length === 1, 'the mail', 30_000);

    expect(JSON.parse(http.on('/ops')[0].body)).toEqual({
      event: 'job.failed',
      repository: 'broken',
      code: 'WRONG_PASSWORD',
    });
    const [mail] = smtp.mails;
    expect(mail.user).toBe('hen-mailer');
    expect(mail.to).toEqual(['admin@example.org']);
    expect(mail.subject).toBe('[notify-host] check of broken failed');
    expect(mail.text).toContain(`check broken (job ${checkRepository.number}) failed`);
    expect(mail.text).toContain('error: WRONG_PASSWORD: wrong password for repository "broken"');
    // the backup-only targets heard nothing of it
    expect(http.on('/gotify/message')).toHaveLength(1);
  });

  it('an overdue backup: the Slack webhook, once', async () => {
    await waitFor(() => http.on('/slack/T0001/B0002/slackhook1234').length >= 1, 'overdue');
    // later looks at the overdue backup do not say it again
    await new Promise((r) => setTimeout(r, 3_000));
    const requests = http.on('/slack/T0001/B0002/slackhook1234');
    expect(requests).toHaveLength(1);
    const body = JSON.parse(requests[0].body);
    expect(body.text).toBe('hen-backup on notify-host: backup.overdue');
    expect(body.attachments[0].text).toContain('backup late is overdue: no success yet');
    // the other targets do not take overdue events, and nothing was sent twice
    expect(smtp.mails).toHaveLength(1);
    expect(http.on('/ops')).toHaveLength(1);
    expect(http.on('/hc/late')).toHaveLength(0);
  });

  it('shows the outbox in the notifications query, and pages it', async () => {
    const fields = `totalCount pageInfo { hasNextPage endCursor }
      nodes { id number target event severity state attempts createdAt sentAt lastError response summary payload }`;
    const { notifications } = await viewer.data(
      `query { notifications(filter: { targets: ["ops"] }) { ${fields} } }`,
    );
    expect(notifications.totalCount).toBe(1);
    const [entry] = notifications.nodes;
    expect(entry).toMatchObject({
      id: `Notification:${entry.number}`,
      target: 'ops',
      event: 'JOB_FAILED',
      severity: 'ERROR',
      state: 'SENT',
      attempts: 1,
      lastError: null,
      response: 'HTTP 200: OK',
    });
    expect(entry.summary).toMatch(/^check broken \(job \d+\) failed/);
    expect(entry.payload).toMatchObject({ repository: 'broken', errorCode: 'WRONG_PASSWORD' });
    const { node } = await viewer.data(
      `query($id: ID!) { node(id: $id) { id ... on Notification { target } } }`,
      {
        id: entry.id,
      },
    );
    expect(node).toEqual({ id: entry.id, target: 'ops' });

    const first = await viewer.data(
      `query { notifications(first: 2, filter: { states: [SENT] }) { ${fields} } }`,
    );
    expect(first.notifications.nodes).toHaveLength(2);
    expect(first.notifications.pageInfo.hasNextPage).toBe(true);
    const pending = await viewer.data(
      `query { notifications(filter: { states: [PENDING, FAILED] }) { totalCount } }`,
    );
    expect(pending.notifications.totalCount).toBe(0);
  });

  it('testNotification (admin only) sends a sample event to one target and answers what it said', async () => {
    const refused = await viewer.request(
      `mutation { testNotification(target: "phone") { delivered } }`,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const before = http.on('/ntfy/hen-backups').length;
    const { testNotification } = await admin.data(
      `mutation { testNotification(target: "phone") { target delivered response error } }`,
    );
    expect(testNotification).toEqual({
      target: 'phone',
      delivered: true,
      response: 'HTTP 200: OK',
      error: null,
    });
    const sample = http.on('/ntfy/hen-backups')[before];
    expect(sample.headers.title).toBe('[test] hen-backup on notify-host: job.succeeded');
    expect(sample.body).toContain('test notification from hen-backup on notify-host');

    const dead = await admin.data(
      `mutation { testNotification(target: "dead") { delivered response error } }`,
    );
    expect(dead.testNotification.delivered).toBe(false);
    expect(dead.testNotification.error).toContain('ECONNREFUSED');

    const unknown = await admin.request(
      `mutation { testNotification(target: "nope") { delivered } }`,
    );
    expect(unknown.data?.testNotification).toBeNull();
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('tells the daemon started, and a configuration reloaded or refused', async () => {
    const events = () => http.on('/lifecycle').map((r) => JSON.parse(r.body).event as string);
    await waitFor(() => events().length === 1, 'daemon.started', 30_000);
    expect(events()).toEqual(['daemon.started']);

    const reload = `mutation { reloadConfig { reloaded } }`;
    expect((await admin.data(reload)).reloadConfig.reloaded).toBe(true);
    await waitFor(() => events().length === 2, 'config.reloaded', 30_000);

    const text = readFileSync(started.configPath, 'utf8');
    writeFileSync(started.configPath, `${text}\nhostnmae: typo\n`);
    expect((await admin.data(reload)).reloadConfig.reloaded).toBe(false);
    await waitFor(() => events().length === 3, 'config.refused', 30_000);
    expect(events()).toEqual(['daemon.started', 'config.reloaded', 'config.refused']);
    const refused = JSON.parse(http.on('/lifecycle')[2].body);
    expect(refused.detail).toContain('hostnmae: unknown key');
    writeFileSync(started.configPath, text);
  });
});
