import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const PROMETHEUS_DIR = join(ROOT, 'monitoring', 'prometheus');
const ALERTS_FILE = join(PROMETHEUS_DIR, 'hen-backup-alerts.rules.yml');
const RECORDING_FILE = join(PROMETHEUS_DIR, 'hen-backup-recording.rules.yml');
const RULE_TESTS = join(PROMETHEUS_DIR, 'tests', 'hen-backup-alerts.test.yml');
const DASHBOARD = join(ROOT, 'monitoring', 'grafana', 'hen-backup-dashboard.json');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.env.PROMTOOL_BIN ?? 'promtool', args, {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return { status: result.status, output: result.stdout + result.stderr };
}

const rulesOf = (file: string): Rule[] =>
  (parse(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );

/** The README's headings as GitHub anchors them (lower case, punctuation dropped, spaces to -). */
function readmeAnchors(): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return new Set(
    [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** The monitoring kit checked with Debian's promtool, and the dashboard's structure. */
describe('monitoring kit', () => {
  const alerts = rulesOf(ALERTS_FILE);

  it('passes promtool check rules', () => {
    const result = promtool('check', 'rules', ALERTS_FILE, RECORDING_FILE);
    expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    expect(result.output).not.toMatch(/FAILED|WARNING/);
  });

  it('passes its promtool rule unit tests', () => {
    const result = promtool('test', 'rules', RULE_TESTS);
    expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('unit-tests every alert both firing and not firing', () => {
    const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: mine.some((c) => c.exp_alerts.length > 0) }).toEqual({
        alert,
        fires: true,
      });
      expect({ alert, quiet: mine.some((c) => c.exp_alerts.length === 0) }).toEqual({
        alert,
        quiet: true,
      });
    }
  });

  it('gives every alert a severity, a summary, a description and a runbook section that exists', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    const anchors = readmeAnchors();
    for (const rule of alerts) {
      expect(rule.alert).toMatch(/^HenBackup[A-Z]\w+$/);
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      const { summary, description, runbook } = rule.annotations ?? {};
      expect(summary).toBeTruthy();
      expect(description).toMatch(/hostname|instance/);
      expect(runbook).toBe(`README.md#${rule.alert!.toLowerCase()}`);
      expect({ alert: rule.alert, documented: anchors.has(rule.alert!.toLowerCase()) }).toEqual({
        alert: rule.alert,
        documented: true,
      });
    }
  });

  it('has a scrape example that promtool check config accepts once its token file exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hen-kit-'));
    try {
      const config = parse(
        readFileSync(join(PROMETHEUS_DIR, 'prometheus.example.yml'), 'utf8'),
      ) as Record<string, any>;
      const job = config.scrape_configs[0];
      expect(job.job_name).toBe('hen-backup');
      expect(job.authorization.type).toBe('Bearer');
      expect(job.static_configs[0].targets.length).toBeGreaterThan(1);
      writeFileSync(join(dir, 'token'), 'a-viewer-token');
      job.authorization.credentials_file = join(dir, 'token');
      config.rule_files = [ALERTS_FILE, RECORDING_FILE];
      writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
      const result = promtool('check', 'config', join(dir, 'prometheus.yml'));
      expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a dashboard Grafana can import: schema version, uid, datasource and host variables', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.id).toBeUndefined();
    const variables = Object.fromEntries(dashboard.templating.list.map((v: any) => [v.name, v]));
    expect(variables.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.host).toMatchObject({
      type: 'query',
      datasource: { type: 'prometheus', uid: '${datasource}' },
      definition: 'label_values(hen_backup_info, hostname)',
      includeAll: true,
    });
    const recorded = new Set(rulesOf(RECORDING_FILE).map((r) => r.record));
    const panels = dashboard.panels.filter((p: any) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(8);
    for (const panel of panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        // recording rules it reads exist (the e2e test asks Prometheus to answer every query)
        for (const [name] of target.expr.matchAll(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g)) {
          expect({ name, recorded: recorded.has(name) }).toEqual({ name, recorded: true });
        }
      }
    }
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
