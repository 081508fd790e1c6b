import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingHttpServer } from '../support/servers/recording-http-server';
import { SmtpReceiver } from '../support/servers/smtp-receiver';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { resticDirect, tempDir, writeRandomFiles } from './support/fixtures';
import { waitFor, waitForEnd } from './support/wait';

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

  beforeAll(async () => {
    await Promise.all([http.up(), smtp.start(dir.path)]);
    writeRandomFiles(join(dir.path, 'data'), 3, 4096);
    resticDirect(join(dir.path, 'broken'), 'the-real-password', ['init']);
    const docs = { backups: ['docs'] };
    started = await startDaemon(
      dir.path,
      {
        hostname: 'notify-host',
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
            script: {
              type: 'command',
              command: ['tee', '-a', commandLog],
              events: ['job.succeeded'],
              ...docs,
            },
          },
        },
      },
      { env: { SMTP_PASSWORD: 'SeCrEt-smtp-password-Q8', HEN_BACKUP_OVERDUE_MIN_GRACE: '1s' } },
    );
  }, 120_000);

  afterAll(async () => {
    await started?.stop();
    await Promise.all([http.close(), smtp.stop()]);
    dir.cleanup();
  });

  it('a backup that succeeds: ntfy, Gotify, healthchecks start and success, Uptime Kuma, the command', async () => {
    const { runBackup } = await started.client.data(`mutation { runBackup(name: "docs") { id } }`);
    const job = await waitForEnd(started.client, runBackup.id);
    expect(job.state).toBe('SUCCEEDED');
    await waitFor(() => http.on('/hc/docs').length === 1, 30_000, 'the success ping');
    await waitFor(() => existsSync(commandLog), 30_000, 'the command');
    await waitFor(() => http.on('/kuma/push/KumaPush123').length === 1, 30_000, 'the push');
    await waitFor(() => http.on('/gotify/message').length === 1, 30_000, 'the Gotify message');
    await waitFor(() => http.on('/ntfy/hen-backups').length === 1, 30_000, 'the ntfy message');

    const [ntfy] = http.on('/ntfy/hen-backups');
    expect(ntfy.method).toBe('POST');
    expect(ntfy.headers.authorization).toBe('Bearer tk_SeCrEtntfy0099');
    expect(ntfy.headers.title).toBe('hen-backup on notify-host: job.succeeded');
    expect(ntfy.body).toContain(`backup docs (job ${runBackup.id}) succeeded`);

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
      jobId: Number(runBackup.id),
      host: 'notify-host',
    });
    // nothing about the backup went to the check-only targets
    expect(http.on('/ops')).toHaveLength(0);
  });

  it('a failing check: the webhook with its template and a mail through SMTP with TLS and auth, once each', async () => {
    const { checkRepository } = await started.client.data(
      `mutation { checkRepository(name: "broken") { id } }`,
    );
    const job = await waitForEnd(started.client, checkRepository.id);
    expect(job.state).toBe('FAILED');
    await waitFor(() => http.on('/ops').length === 1, 30_000, 'the webhook');
    await waitFor(() => smtp.mails.length === 1, 30_000, 'the mail');

    expect(JSON.parse(http.on('/ops')[0].body)).toEqual({
      event: 'job.failed',
      repository: 'broken',
      code: 'WRONG_PASSWORD',
    });
    const [mail] = smtp.mails;
    expect(mail.user).toBe('hen-mailer');
    expect(mail.to).toEqual(['admin@example.org']);
    expect(mail.subject).toBe('[notify-host] check of broken failed');
    expect(mail.text).toContain(`check broken (job ${checkRepository.id}) failed`);
    expect(mail.text).toContain('error: WRONG_PASSWORD: wrong password for repository "broken"');
    // the backup-only targets heard nothing of it
    expect(http.on('/gotify/message')).toHaveLength(1);
  });

  it('an overdue backup: the Slack webhook, once', async () => {
    await waitFor(() => http.on('/slack/T0001/B0002/slackhook1234').length >= 1, 60_000, 'overdue');
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
});
