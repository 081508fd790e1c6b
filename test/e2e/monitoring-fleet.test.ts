import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { JobStore } from '../../src/jobs/job-store';
import { StateDatabase } from '../../src/state/state-database';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { freePort } from '../support/servers/server-process';
import { resticDirect, writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { PrometheusServer, type PromAlert } from './support/prometheus';
import { waitForEnd, waitForJobs } from './support/wait';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '..', '..');
const MONITORING = join(ROOT, 'monitoring');
const PASSWORD = 'fleet-e2e-password-4711';
const VIEWER = 'fleet-prometheus-viewer-token-0123';
const ADMIN = 'fleet-admin-token-0123456789';
const HOUR = 3_600_000;

/**
 * Three daemons (hosts alpha, beta, gamma) scraped by the real Prometheus with the kit's scrape
 * example, recording and alerting rules (in a copy whose `for:` durations are 1 s), and the
 * Grafana dashboard's queries asked of that Prometheus:
 * - alpha backs up and checks its repository successfully: no alert;
 * - beta backs up into a repository made under another password: three failures in a row;
 * - gamma last succeeded three hours ago (its history says so) and its hourly backup now hangs
 *   in a before hook: overdue;
 * - a fourth target has nothing listening: down.
 */
describe('a fleet of daemons in one Prometheus', () => {
  const dir = tempDir('e2e-fleet');
  const daemons: StartedDaemon[] = [];
  let prometheus: PrometheusServer | undefined;
  let downTarget: string;
  const admin = (daemon: StartedDaemon) => new GraphQLTestClient(daemon.port, ADMIN);

  const hostConfig = (hostname: string, extra: Record<string, unknown>) => ({
    hostname,
    api: {
      tokens: [
        { name: 'prometheus', role: 'viewer', token: VIEWER },
        { name: 'me', role: 'admin', token: ADMIN },
      ],
    },
    ...extra,
  });

  /** gamma's history: one backup that succeeded three hours ago. */
  function seedOldSuccess(dataDir: string): void {
    const database = new StateDatabase({ dataDir });
    try {
      const store = new JobStore(database);
      const end = Date.now() - 3 * HOUR;
      const iso = (ms: number) => new Date(ms).toISOString();
      const job = store.create(
        { operation: 'backup', backup: 'docs', trigger: 'schedule', priority: 0 },
        iso(end - 60_000),
      );
      Object.assign(job, { state: 'succeeded', startedAt: iso(end - 50_000), endedAt: iso(end) });
      store.save(job);
    } finally {
      database.close();
    }
  }

  /**
   * The kit's rules with every `for:` shortened to 1 s, so that alerts fire within seconds; 5 s
   * for a daemon down, so that one slow scrape (1 s timeout) of a busy test machine is not one.
   */
  function quickRules(file: string): string {
    const rules = parse(readFileSync(join(MONITORING, 'prometheus', file), 'utf8')) as {
      groups: { rules: { alert?: string; for?: string }[] }[];
    };
    for (const group of rules.groups) {
      for (const rule of group.rules) {
        if (rule.for) rule.for = rule.alert === 'HenBackupDaemonDown' ? '5s' : '1s';
      }
    }
    const path = join(dir.path, file);
    writeFileSync(path, stringify(rules));
    return path;
  }

  beforeAll(async () => {
    const alphaRepo = join(dir.path, 'alpha-repository');
    const betaRepo = join(dir.path, 'beta-repository');
    const gammaRepo = join(dir.path, 'gamma-repository');
    for (const host of ['alpha', 'beta', 'gamma']) {
      writeRandomFiles(join(dir.path, host, 'docs'), 3, 2048);
    }
    resticDirect(betaRepo, 'not-the-configured-password', ['init']);
    seedOldSuccess(join(dir.path, 'gamma', 'state'));
    const backup = (host: string, repository: string, more: Record<string, unknown> = {}) => ({
      docs: { paths: [join(dir.path, host, 'docs')], repositories: [repository], ...more },
    });
    const started = await Promise.all([
      startDaemon(
        join(dir.path, 'alpha'),
        hostConfig('alpha', {
          repositories: {
            nas: { location: alphaRepo, password: PASSWORD, check: { schedules: ['1d'] } },
          },
          backups: backup('alpha', 'nas', { schedules: ['1h'] }),
        }),
      ),
      startDaemon(
        join(dir.path, 'beta'),
        hostConfig('beta', {
          repositories: { nas: { location: betaRepo, password: PASSWORD } },
          backups: backup('beta', 'nas'),
        }),
      ),
      startDaemon(
        join(dir.path, 'gamma'),
        hostConfig('gamma', {
          repositories: { nas: { location: gammaRepo, password: PASSWORD } },
          backups: backup('gamma', 'nas', {
            schedules: ['1h'],
            hooks: { before: [{ type: 'command', command: ['sleep', '300'], timeout: '1h' }] },
          }),
        }),
      ),
    ]);
    daemons.push(...started);
    downTarget = `127.0.0.1:${await freePort()}`;

    // The scrape example as a user copies it, pointed at these daemons.
    const tokenFile = join(dir.path, 'hen-backup.token');
    writeFileSync(tokenFile, VIEWER);
    const config = parse(
      readFileSync(join(MONITORING, 'prometheus', 'prometheus.example.yml'), 'utf8'),
    ) as Record<string, any>;
    config.global = { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' };
    config.rule_files = [
      quickRules('hen-backup-recording.rules.yml'),
      quickRules('hen-backup-alerts.rules.yml'),
    ];
    delete config.alerting;
    const [job] = config.scrape_configs;
    job.authorization.credentials_file = tokenFile;
    job.static_configs[0].targets = [...daemons.map((d) => `127.0.0.1:${d.port}`), downTarget];
    prometheus = await PrometheusServer.start(join(dir.path, 'prometheus'), config);

    const [alpha, beta, gamma] = daemons;
    // alpha: its scheduled backup and check at startup; beta: three failing backups in a row;
    // gamma: its backup waits in the hook
    await waitForJobs(admin(alpha), ['BACKUP', 'CHECK'], 2);
    const betaAdmin = admin(beta);
    for (let i = 0; i < 3; i++) {
      const { runBackup } = await betaAdmin.data(`mutation { runBackup(name: "docs") { id } }`);
      expect((await waitForEnd(betaAdmin, runBackup.id)).state).toBe('FAILED');
    }
    await waitFor(
      async () => {
        const { status } = await admin(gamma).data(
          `{ status { backups { overdue lastJob { state } } } }`,
        );
        return status.backups[0].overdue && status.backups[0].lastJob?.state === 'RUNNING';
      },
      'gamma overdue with its backup hanging',
      30_000,
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(daemons.map((d) => d.stop()));
    dir.cleanup();
  });

  const firing = async (): Promise<PromAlert[]> =>
    (await prometheus!.alerts()).filter((a) => a.state === 'firing');
  const key = (a: PromAlert) =>
    [a.labels.alertname, a.labels.hostname ?? a.labels.instance, a.labels.backup ?? ''].join(' ');

  it('tells the hosts apart: one hen_backup_info per daemon, with its hostname', async () => {
    await waitFor(
      async () => (await prometheus!.query('hen_backup_info')).length === 3,
      'condition',
      30_000,
    );
    const info = await prometheus!.query('hen_backup_info');
    expect(info.map((s) => s.metric.hostname).sort()).toEqual(['alpha', 'beta', 'gamma']);
    for (const sample of info) {
      expect(sample.metric).toMatchObject({ job: 'hen-backup', version: '0.1.0' });
      expect(sample.metric.restic_version).toMatch(/^\d+\.\d+\.\d+/);
    }
    const expectedUp = {
      ...Object.fromEntries(daemons.map((d) => [`127.0.0.1:${d.port}`, '1'])),
      [downTarget]: '0',
    };
    let up: Record<string, string> = {};
    await waitFor(
      async () => {
        const samples = await prometheus!.query('up{job="hen-backup"}');
        up = Object.fromEntries(samples.map((s) => [s.metric.instance, s.value[1]]));
        const entries = Object.entries(expectedUp);
        return Object.keys(up).length === entries.length && entries.every(([k, v]) => up[k] === v);
      },
      'every daemon up, the empty port down',
      30_000,
    ).catch(() => undefined); // the assertion below shows what differs
    expect(up).toEqual(expectedUp);
  });

  it('fires the right alerts for the right hosts, and none for the healthy one', async () => {
    const expected = [
      'HenBackupDaemonDown ' + downTarget + ' ',
      'HenBackupFailing beta docs',
      'HenBackupNoRecentSuccess gamma docs',
      'HenBackupOverdue gamma docs',
    ];
    let alerts: PromAlert[] = [];
    await waitFor(async () => {
      alerts = await firing();
      const keys = new Set(alerts.map(key));
      return expected.every((k) => keys.has(k));
    }, 'the expected alerts firing');
    // A nearly full disk on the test machine would be a true alert for every host; leave it out.
    const relevant = (await firing()).filter(
      (a) => a.labels.alertname !== 'HenBackupDataDirNearlyFull',
    );
    expect(relevant.map(key).sort()).toEqual(expected);
    const failing = alerts.find((a) => a.labels.alertname === 'HenBackupFailing')!;
    expect(failing.labels).toMatchObject({
      severity: 'critical',
      hostname: 'beta',
      job: 'hen-backup',
    });
    expect(failing.annotations).toEqual({
      summary: 'backup docs on beta failed 3 times in a row',
      description: `The last 3 backup jobs of docs on host beta (127.0.0.1:${daemons[1].port}) failed, none succeeded since.`,
      runbook: 'README.md#henbackupfailing',
    });
    const down = alerts.find((a) => a.labels.alertname === 'HenBackupDaemonDown')!;
    expect(down.annotations.description).toContain(`at ${downTarget} (host unknown)`);
  });

  it('answers every query of the Grafana dashboard with data, and its host variable lists the hosts', async () => {
    const dashboard = JSON.parse(
      readFileSync(join(MONITORING, 'grafana', 'hen-backup-dashboard.json'), 'utf8'),
    );
    const hosts = await prometheus!.api<string[]>('label/hostname/values', {
      'match[]': 'hen_backup_info',
    });
    expect(hosts).toEqual(['alpha', 'beta', 'gamma']);
    const exprs: string[] = dashboard.panels.flatMap((p: any) =>
      (p.targets ?? []).map((t: any) => t.expr as string),
    );
    expect(exprs.length).toBeGreaterThan(10);
    // the recorded series and rate windows need a few scrapes and evaluations
    const empty: string[] = [];
    await waitFor(
      async () => {
        empty.length = 0;
        for (const expr of exprs) {
          const query = expr
            .replaceAll('$host', 'alpha|beta|gamma')
            .replaceAll('$__rate_interval', '1m');
          if ((await prometheus!.query(query)).length === 0) empty.push(expr);
        }
        return empty.length === 0;
      },
      'data for every dashboard query',
      30_000,
    ).catch(() => {
      throw new Error(`dashboard queries without data:\n${empty.join('\n')}`);
    });
    // the fleet view: one row per host and backup
    const states = await prometheus!.query('instance_backup:hen_backup_state:code');
    expect(Object.fromEntries(states.map((s) => [s.metric.hostname, s.value[1]]))).toEqual({
      alpha: '0',
      beta: '2',
      gamma: '1',
    });
  });
});
