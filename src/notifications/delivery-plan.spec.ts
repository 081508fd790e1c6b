import type {
  EmailTarget,
  NotificationFilter,
  NotificationTarget,
  WebhookPreset,
} from '../config/notifications.types';
import { planDelivery, type HttpDelivery } from './delivery-plan';
import { blankEvent, jobEvent, type NotificationEvent } from './notification-event';
import { wants } from './notification-filter';
import type { Job } from '../jobs/job.types';

const FILTER: NotificationFilter = {
  events: ['job.failed'],
  operations: [],
  backups: [],
  repositories: [],
  minSeverity: 'info',
};
const base = { filter: FILTER, timeoutMs: 1_000 };

const job: Job = {
  id: 7,
  operation: 'backup',
  backup: 'pictures',
  repository: null,
  trigger: 'schedule',
  priority: 0,
  state: 'failed',
  queuedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:01:00.000Z',
  startedAt: '2026-01-01T00:00:10.000Z',
  endedAt: '2026-01-01T00:01:00.000Z',
  steps: [
    {
      name: 'restic backup nas',
      kind: 'restic',
      repository: 'nas',
      state: 'failed',
      startedAt: null,
      endedAt: null,
      error: { code: 'BACKEND_UNREACHABLE', message: 'nas is unreachable' },
      snapshotId: null,
      summary: { dataAdded: 10, totalFilesProcessed: 3 },
    },
  ],
  progress: null,
  warnings: [],
  error: { code: 'BACKEND_UNREACHABLE', message: 'nas is unreachable' },
  snapshotIds: [],
  params: {},
};
const failed: NotificationEvent = jobEvent('job.failed', job, 'laptop', job.endedAt!);

const http = (target: NotificationTarget, event = failed) =>
  planDelivery(target, event) as HttpDelivery;

describe('jobEvent', () => {
  it('flattens the facts of a job for templates', () => {
    expect(failed).toMatchObject({
      event: 'job.failed',
      severity: 'error',
      summary: 'backup pictures (job 7) failed: nas is unreachable',
      jobId: 7,
      backup: 'pictures',
      errorCode: 'BACKEND_UNREACHABLE',
      durationSeconds: 50,
      bytesAdded: 10,
      filesProcessed: 3,
    });
  });
});

describe('wants', () => {
  it('narrows by event, severity, operation, backup and repository', () => {
    expect(wants(FILTER, failed)).toBe(true);
    expect(wants({ ...FILTER, minSeverity: 'error' }, failed)).toBe(true);
    expect(wants({ ...FILTER, events: ['job.succeeded'] }, failed)).toBe(false);
    expect(wants({ ...FILTER, operations: ['check'] }, failed)).toBe(false);
    expect(wants({ ...FILTER, backups: ['pictures'] }, failed)).toBe(true);
    expect(wants({ ...FILTER, backups: ['other'] }, failed)).toBe(false);
    // the job has no repository of its own, so a repository filter does not match it
    expect(wants({ ...FILTER, repositories: ['nas'] }, failed)).toBe(false);
    const started = blankEvent('daemon.started', 'laptop', job.endedAt!, 'started');
    expect(wants({ ...FILTER, events: ['daemon.started'], minSeverity: 'warning' }, started)).toBe(
      false,
    );
  });
});

describe('planDelivery', () => {
  const webhook = (preset: WebhookPreset | null, body: string | null = null) =>
    http({
      ...base,
      name: 'w',
      type: 'webhook',
      url: 'https://hooks.example/x',
      method: 'POST',
      headers: { 'X-Key': 'k' },
      preset,
      body,
    });

  it('renders a webhook body template with Handlebars, json helper included', () => {
    const plan = webhook(null, '{"text":{{json summary}},"backup":"{{backup}}"}');
    expect(JSON.parse(plan.body!)).toEqual({
      text: 'backup pictures (job 7) failed: nas is unreachable',
      backup: 'pictures',
    });
    expect(plan.headers).toEqual({ 'Content-Type': 'application/json', 'X-Key': 'k' });
  });

  it('sends the event itself as JSON without a body or preset', () => {
    expect(JSON.parse(webhook(null).body!)).toEqual(JSON.parse(JSON.stringify(failed)));
  });

  it.each([
    ['slack', (b: any) => [b.text, b.attachments[0].color]],
    ['mattermost', (b: any) => [b.text, b.attachments[0].color]],
    ['discord', (b: any) => [b.content, b.embeds[0].color]],
    ['teams', (b: any) => [b.title, b.themeColor]],
  ] as const)('has a %s preset', (preset, pick) => {
    const [title, color] = pick(JSON.parse(webhook(preset).body!));
    expect(title).toBe('hen-backup on laptop: job.failed');
    expect(String(color)).toMatch(/E01E5A|14687834/i);
  });

  it('posts to ntfy with title, priority and token', () => {
    const plan = http({
      ...base,
      name: 'n',
      type: 'ntfy',
      url: 'https://ntfy.sh/topic',
      token: 'tk',
      title: null,
      message: '{{summary}}',
    });
    expect(plan).toMatchObject({
      url: 'https://ntfy.sh/topic',
      method: 'POST',
      body: failed.summary,
      headers: { Priority: '5', Authorization: 'Bearer tk' },
    });
  });

  it('posts to Gotify /message with its key', () => {
    const plan = http({
      ...base,
      name: 'g',
      type: 'gotify',
      url: 'https://gotify.example/',
      token: 'key',
      title: null,
      message: null,
    });
    expect(plan.url).toBe('https://gotify.example/message');
    expect(plan.headers['X-Gotify-Key']).toBe('key');
    expect(JSON.parse(plan.body!)).toMatchObject({ priority: 8 });
  });

  it('pings healthchecks at /start, the URL itself, or /fail', () => {
    const target: NotificationTarget = {
      ...base,
      name: 'h',
      type: 'healthchecks',
      url: 'https://hc-ping.com/key/{{backup}}',
    };
    expect(http(target).url).toBe('https://hc-ping.com/key/pictures/fail');
    expect(http(target, { ...failed, event: 'job.started', severity: 'info' }).url).toBe(
      'https://hc-ping.com/key/pictures/start',
    );
    expect(http(target, { ...failed, event: 'job.succeeded', severity: 'info' }).url).toBe(
      'https://hc-ping.com/key/pictures',
    );
  });

  it('pushes up or down to Uptime Kuma, and nothing when a job starts', () => {
    const target: NotificationTarget = {
      ...base,
      name: 'k',
      type: 'uptime-kuma',
      url: 'https://kuma.example/api/push/abc',
    };
    const url = new URL(http(target).url);
    expect(url.searchParams.get('status')).toBe('down');
    expect(url.searchParams.get('msg')).toBe(failed.summary);
    expect(url.searchParams.get('ping')).toBe('50000');
    expect(planDelivery(target, { ...failed, event: 'job.started' }).kind).toBe('none');
  });

  it('writes a mail with a one-line subject', () => {
    const target: EmailTarget = {
      ...base,
      name: 'm',
      type: 'email',
      host: 'smtp.example',
      port: 587,
      security: 'starttls',
      username: null,
      password: null,
      from: 'a@example.org',
      to: ['b@example.org'],
      subject: '{{summary}}\nBcc: evil@example.org',
      body: null,
      allowInvalidCertificate: false,
    };
    const plan = planDelivery(target, failed);
    expect(plan).toMatchObject({
      kind: 'mail',
      subject: `${failed.summary} Bcc: evil@example.org`,
    });
    expect(plan.kind === 'mail' && plan.text).toContain(
      'error: BACKEND_UNREACHABLE: nas is unreachable',
    );
  });

  it('gives a command its rendered arguments, the event on stdin and in its environment', () => {
    const plan = planDelivery(
      { ...base, name: 'c', type: 'command', command: ['notify', '{{backup}}'], env: { A: 'b' } },
      failed,
    );
    expect(plan).toMatchObject({
      kind: 'command',
      command: ['notify', 'pictures'],
      env: { A: 'b', HEN_BACKUP_EVENT: 'job.failed', HEN_BACKUP_SEVERITY: 'error' },
    });
    expect(plan.kind === 'command' && JSON.parse(plan.stdin)).toMatchObject({ jobId: 7 });
  });
});
