import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

const ROOT = resolve(__dirname, '..');
/** Libraries only notifications use, which the daemon loads on first use instead of at start. */
const NOTIFICATION_LIBRARIES = ['handlebars', 'nodemailer'];

/**
 * Runs main.ts with `--check-config` (every module the daemon imports, and the configuration
 * read and checked) and answers which of NOTIFICATION_LIBRARIES were loaded by then.
 */
function librariesLoadedAtStart(config: object): string[] {
  const folder = mkdtempSync(join(tmpdir(), 'hen-start-imports-'));
  try {
    const path = join(folder, 'config.yaml');
    writeFileSync(path, stringify(config));
    const report = `process.on('exit', () => {
      const loaded = Object.keys(require.cache);
      const names = ${JSON.stringify(NOTIFICATION_LIBRARIES)};
      process.stdout.write('LOADED ' + JSON.stringify(names.filter((name) =>
        loaded.some((file) => file.includes('/node_modules/' + name + '/')))) + '\\n');
    });
    require('./src/main.ts');`;
    const run = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', '-e', report, 'main', '--config', path, '--check-config'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stdout).toContain('configuration is valid');
    const line = run.stdout.split('\n').find((text) => text.startsWith('LOADED '));
    return JSON.parse(line!.slice('LOADED '.length)) as string[];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('what the daemon loads at start', () => {
  const base = {
    dataDir: '/var/lib/hen-backup',
    repositories: { nas: { location: '/srv/restic', password: 'a-password-for-the-test' } },
    backups: { home: { paths: ['/home'], repositories: ['nas'] } },
  };

  it('does not load the notification libraries when no notification is configured', () => {
    expect(librariesLoadedAtStart(base)).toEqual([]);
  });

  it('loads Handlebars when templates are configured, to check them before starting', () => {
    const config = {
      ...base,
      notifications: {
        targets: { echo: { type: 'command', command: ['echo', '{{summary}}'] } },
      },
    };
    expect(librariesLoadedAtStart(config)).toEqual(['handlebars']);
  });
});
