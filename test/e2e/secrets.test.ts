import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { RestServer } from '../support/servers/rest-server';
import { S3Server } from '../support/servers/s3-server';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { freePort } from '../support/servers/server-process';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { getJob, listJobs, waitForEnd, waitForJobs, waitForProgress } from './support/wait';
import { waitFor } from '../support/wait-for';

// Recognisable values: none of them may ever leave the daemon.
const SECRETS = {
  password: 'SeCrEt-repo-password-A7f3k9Qz',
  passwordFile: 'SeCrEt-file-password-M2x8Lw',
  wrongPassword: 'SeCrEt-wrong-password-R4n1Yt',
  realPassword: 'SeCrEt-actual-password-J6c2Dd',
  s3KeyId: 'AKIASECRETKEYID9X7Q2',
  s3SecretKey: 'SeCrEt-s3-access-key-Vb8Tn0Wq',
  apiToken: 'SeCrEt-api-token-Hx5Ku2Ee',
  hookBearer: 'SeCrEt-hook-bearer-P0qZs3Mm',
  restPassword: '', // set from the REST server
  webhookPath: 'SeCrEt-webhook-path-K2p9Xc',
  ntfyToken: 'SeCrEt-ntfy-token-W7e4Rt',
  gotifyToken: 'SeCrEt-gotify-token-N3b8Vu',
  smtpPassword: 'SeCrEt-smtp-password-F6g1Hj',
  commandToken: 'SeCrEt-command-token-Z5q0Lp',
};

describe('secrets never leave the daemon', () => {
  const dir = tempDir('e2e-secrets');
  const rest = new RestServer();
  const s3 = new S3Server();
  const answers: string[] = [];
  const hookHeaders: IncomingHttpHeaders[] = [];
  let hookServer: Server;
  let started: StartedDaemon;
  /** The admin; every answer it gets is kept, to be searched for the secrets. */
  let client: GraphQLTestClient;

  async function runAndWait(name: string): Promise<any> {
    const { runBackup } = await client.data(
      `mutation($n: String!) { runBackup(name: $n) { id } }`,
      { n: name },
    );
    return waitForEnd(client, runBackup.id);
  }

  beforeAll(async () => {
    await Promise.all([rest.start(), s3.start()]);
    SECRETS.restPassword = rest.password;
    hookServer = createServer((req, res) => {
      req.resume();
      if (req.url?.startsWith('/notify')) {
        // a receiver that repeats what it got: the daemon stores and shows answers, scrubbed
        res.end(
          `got ${req.url} ${req.headers.authorization ?? ''} ${String(req.headers['x-gotify-key'] ?? '')}`,
        );
        return;
      }
      hookHeaders.push(req.headers);
      res.end('ok');
    });
    hookServer.listen(0, '127.0.0.1');
    await new Promise((r) => hookServer.once('listening', r));
    const hookPort = (hookServer.address() as AddressInfo).port;

    writeRandomFiles(join(dir.path, 'data'), 3, 4096);
    writeRandomFiles(join(dir.path, 'slow'), 8, 512 * 1024);
    writeFileSync(join(dir.path, 'repo-password'), `${SECRETS.passwordFile}\n`);
    writeFileSync(join(dir.path, 'smtp-password'), `${SECRETS.smtpPassword}\n`);
    const deadPort = await freePort();
    resticDirect(join(dir.path, 'foreign'), SECRETS.realPassword, ['init']);
    started = await startDaemon(
      dir.path,
      {
        hostname: 'secrets-host',
        api: { tokens: [{ name: 'admin', role: 'admin', token: SECRETS.apiToken }] },
        jobs: { concurrency: 2, maxDuration: '5m' },
        repositories: {
          inline: { location: join(dir.path, 'inline'), password: SECRETS.password },
          filed: {
            location: join(dir.path, 'filed'),
            passwordFile: join(dir.path, 'repo-password'),
          },
          foreign: { location: join(dir.path, 'foreign'), password: SECRETS.wrongPassword },
          rest: {
            location: rest.location('repo/', { withCredentials: true }),
            password: SECRETS.password,
          },
          s3: {
            location: s3.location('repo'),
            password: SECRETS.password,
            locationParams: {
              accessKeyId: SECRETS.s3KeyId,
              secretAccessKey: SECRETS.s3SecretKey,
              cacert: s3.caCertFile,
            },
          },
        },
        backups: {
          good: {
            paths: [join(dir.path, 'data')],
            repositories: ['inline', 'filed', 'rest'],
            hooks: {
              before: [
                {
                  type: 'http',
                  url: `http://127.0.0.1:${hookPort}/before`,
                  method: 'POST',
                  headers: { Authorization: `Bearer ${SECRETS.hookBearer}` },
                  timeout: '5s',
                },
              ],
            },
          },
          wrong: { paths: [join(dir.path, 'data')], repositories: ['foreign'] },
          denied: { paths: [join(dir.path, 'data')], repositories: ['s3'] },
          slow: {
            paths: [join(dir.path, 'slow')],
            repositories: ['inline'],
            limits: { upload: '64K' },
          },
        },
        notifications: {
          retry: { initialDelay: '1s', maxDelay: '2s', maxAttempts: 2 },
          targets: {
            chat: {
              type: 'webhook',
              preset: 'slack',
              url: `http://127.0.0.1:${hookPort}/notify/services/${SECRETS.webhookPath}`,
            },
            phone: {
              type: 'ntfy',
              url: `http://127.0.0.1:${hookPort}/notify/topic`,
              token: SECRETS.ntfyToken,
            },
            gotify: {
              type: 'gotify',
              url: `http://127.0.0.1:${hookPort}/notify`,
              token: SECRETS.gotifyToken,
            },
            mail: {
              type: 'email',
              host: '127.0.0.1',
              port: deadPort,
              security: 'none',
              username: 'hen',
              password: '${HEN_SMTP_PASSWORD}', // from HEN_SMTP_PASSWORD_FILE
              from: 'hen@example.org',
              to: ['me@example.org'],
              events: ['job.failed'],
            },
            script: {
              type: 'command',
              command: ['printenv', 'API_TOKEN'],
              env: { API_TOKEN: SECRETS.commandToken },
            },
          },
        },
      },
      { env: { HEN_SMTP_PASSWORD_FILE: join(dir.path, 'smtp-password') } },
    );
    client = new GraphQLTestClient(started.port, SECRETS.apiToken, {
      onAnswer: (text) => answers.push(text),
    });
    await waitForJobs(client, 'INIT', 5);
  }, 90_000);

  afterAll(async () => {
    await started?.stop();
    hookServer?.close();
    await Promise.all([rest.cleanup(), s3.cleanup()]);
    dir.cleanup();
  });

  it('runs backups that succeed, fail and are canceled, and answers queries and errors', async () => {
    const good = await runAndWait('good');
    expect(good.state).toBe('SUCCEEDED');
    expect(hookHeaders[0]?.authorization).toBe(`Bearer ${SECRETS.hookBearer}`);
    // the secrets were really used: the file's password opens its repository
    expect(
      resticDirect(join(dir.path, 'filed'), SECRETS.passwordFile, ['snapshots', '--json']),
    ).toContain('"paths"');

    const wrong = await runAndWait('wrong');
    expect(wrong.state).toBe('FAILED');
    expect(wrong.error.code).toBe('WRONG_PASSWORD');

    const denied = await runAndWait('denied');
    expect(denied.state).toBe('FAILED');

    const { runBackup: slow } = await client.data(`mutation { runBackup(name: "slow") { id } }`);
    await waitForProgress(client, slow.id);
    await client.data(`mutation($id: ID!) { cancelJob(id: $id) { id } }`, { id: slow.id });
    await waitFor(async () => (await getJob(client, slow.id)).state === 'CANCELED');

    await client.data(`{ status { hostname queuedJobs runningJobs }
      backups { name paths repositories { name location backend } lastJob { state error { code message } } }
      repositories { name location backend } }`);
    for (const repository of ['inline', 'filed', 'rest']) {
      const { snapshots } = await client.data(
        `query($r: String!) { snapshots(repository: $r) { edges { node { id paths tags } } } }`,
        { r: repository },
      );
      expect(snapshots.edges).toHaveLength(1);
    }
    for (const repository of ['foreign', 's3']) {
      const failed = await client.request(
        `query($r: String!) { snapshots(repository: $r) { edges { node { id } } } }`,
        { r: repository },
      );
      expect(failed.errors?.length).toBeGreaterThan(0);
    }
    await client.request(`{ backup(name: "nope") { name } }`);
    await client.request(`mutation { runBackup(name: "good", priority: "urgent") { id } }`);

    // every job's whole log, through the API
    const jobs = await listJobs(client, []);
    expect(jobs.length).toBeGreaterThanOrEqual(9);
    for (const { id } of jobs) {
      const { job } = await client.data(
        `query($id: ID!) { job(id: $id) { warnings logs(first: 500) { edges { node { level path message } } } } }`,
        { id },
      );
      expect(job.logs.edges.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it('sends notifications with the secrets to the targets, and answers testNotification', async () => {
    for (const target of ['chat', 'phone', 'gotify', 'mail', 'script']) {
      await client.data(
        `mutation($t: String!) { testNotification(target: $t) { delivered response error } }`,
        { t: target },
      );
    }
    // the mail target is down: its attempts fail, with errors to show
    await waitFor(
      async () => {
        const { notifications } = await client.data(
          `{ notifications(filter: { targets: ["mail"], states: [FAILED] }) { totalCount } }`,
        );
        return notifications.totalCount > 0;
      },
      'condition',
      30_000,
    );
    await waitFor(
      async () => {
        const { notifications } = await client.data(
          `{ notifications(filter: { states: [PENDING] }) { totalCount } }`,
        );
        return notifications.totalCount === 0;
      },
      'condition',
      30_000,
    );
    const { notifications } = await client.data(
      `{ notifications(first: 500) { totalCount nodes { target state lastError response summary payload } } }`,
    );
    expect(notifications.totalCount).toBeGreaterThan(10);
    const responses = notifications.nodes.map((n: { response: string | null }) => n.response);
    expect(responses).toContain('HTTP 200: got /notify/services/***');
    expect(responses).toContain('HTTP 200: got /notify/topic Bearer ***');
    expect(responses).toContain('HTTP 200: got /notify/message  ***');
    expect(responses).toContain('***');
  }, 60_000);

  it('shows none of the secrets in stdout, stderr, API answers, job logs or the state database', async () => {
    const { daemon } = started;
    expect((await daemon.stop()).code).toBe(0);
    const stateFiles = ['state.db', 'state.db-wal', 'state.db-shm']
      .map((name) => join(dir.path, 'state', name))
      .filter((path) => existsSync(path));
    expect(stateFiles.length).toBeGreaterThan(0);
    const places: [string, Buffer][] = [
      ['stdout', Buffer.from(daemon.stdout.join('\n'))],
      ['stderr', Buffer.from(daemon.stderr.join('\n'))],
      ['API answers and job logs', Buffer.from(answers.join('\n'))],
      ...stateFiles.map((path): [string, Buffer] => [path, readFileSync(path)]),
    ];
    expect(daemon.stdout.length).toBeGreaterThan(20);
    expect(answers.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(SECRETS)) {
      const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
      for (const [place, bytes] of places) {
        for (const form of forms) {
          if (bytes.includes(Buffer.from(form))) leaks.push(`${name} in ${place}`);
        }
        // SQLite may keep text as UTF-16 too
        if (bytes.includes(Buffer.from(secret, 'utf16le')))
          leaks.push(`${name} (utf16) in ${place}`);
      }
    }
    expect(leaks).toEqual([]);
  }, 30_000);
});
