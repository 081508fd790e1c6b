import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/servers/server-process';
import { TempDirs } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

/**
 * The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a
 * fresh prefix (only the npm registry is reached), then the installed commands. Needs
 * `npm run build` first, like every end-to-end test.
 */
const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

/** What the tarball may hold besides the compiled code. */
const NOT_COMPILED = new Set([
  'package.json',
  'README.md',
  'LICENSE',
  'schema.gql',
  'packaging/config.example.yaml',
  'hen-backup.schema.json',
]);

describe('installing the package', () => {
  const temp = new TempDirs();
  let prefix: string;
  let work: string;
  let installLog: string;
  let packed: string[];
  const daemons: ChildProcess[] = [];
  const bin = (name: string) => join(prefix, 'bin', name);
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    HOME: work,
    ...extra,
  });

  beforeAll(async () => {
    expect(existsSync(join(ROOT, 'dist', 'main.js'))).toBe(true);
    const dir = await temp.make('hen-install-');
    prefix = join(dir, 'prefix');
    work = join(dir, 'home');
    mkdirSync(work);
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as { filename: string; files: { path: string }[] }[];
    packed = pack.files.map((f) => f.path);

    // better-sqlite3 downloads its compiled module from GitHub, which this machine cannot reach,
    // and would compile it for minutes; the one this checkout built is handed over as the local
    // prebuild that prebuild-install looks for first.
    const sqlite = join(ROOT, 'node_modules', 'better-sqlite3');
    const sqliteVersion = (
      JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')) as { version: string }
    ).version;
    const prebuilds = join(dir, 'prebuilds');
    mkdirSync(prebuilds);
    execFileSync('tar', [
      '-czf',
      join(
        prebuilds,
        `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`,
      ),
      '-C',
      sqlite,
      'build/Release/better_sqlite3.node',
    ]);
    const install = spawnSync(
      'npm',
      ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(dir, pack.filename)],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, npm_config_better_sqlite3_local_prebuilds: prebuilds },
        timeout: 240_000,
      },
    );
    installLog = `${install.stdout}\n${install.stderr}`;
    expect({ status: install.status, log: installLog }).toMatchObject({ status: 0 });
  }, 300_000);

  afterAll(async () => {
    for (const daemon of daemons) daemon.kill('SIGKILL');
    await temp.cleanup();
  });

  it('packs only what runs: compiled code without tests or source maps, docs, schemas, example', () => {
    const other = packed.filter((path) => !path.startsWith('dist/'));
    for (const path of other) expect(NOT_COMPILED).toContain(path);
    for (const path of ['README.md', 'LICENSE', 'schema.gql', 'packaging/config.example.yaml']) {
      expect(packed).toContain(path);
    }
    expect(packed).toContain('dist/main.js');
    expect(packed).toContain('dist/cli/main.js');
    expect(packed.filter((path) => /\.(spec|test)\.|\.map$|\.ts$/.test(path))).toEqual([]);
  });

  it('installs without peer or engine warnings', () => {
    const warnings = installLog.split('\n').filter((line) => line.startsWith('npm warn'));
    expect(warnings.filter((line) => /ERESOLVE|peer|EBADENGINE|engine/i.test(line))).toEqual([]);
  });

  it('puts both commands on PATH', () => {
    const version = spawnSync('hen-backup', ['--version'], { env: env(), encoding: 'utf8' });
    expect(version.stdout).toBe(`hen-backup ${manifest.version}\n`);
    expect(existsSync(bin('henctl'))).toBe(true);
    const help = spawnSync('henctl', ['--help'], { env: env(), encoding: 'utf8' });
    expect(help.status).toBe(0);
  });

  it('accepts the packaged example configuration', () => {
    const example = join(
      prefix,
      'lib',
      'node_modules',
      'hen-backup',
      'packaging',
      'config.example.yaml',
    );
    const check = spawnSync('hen-backup', ['--config', example, '--check-config'], {
      env: env({
        HEN_BACKUP_ADMIN_TOKEN: 'an-admin-token-0123456789',
        HEN_BACKUP_REPO_PASSWORD: 'a-repository-password',
      }),
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('configuration is valid');
  });

  it('writes a starter configuration that passes --check-config and starts on HEN_BACKUP_PORT', async () => {
    const config = join(work, 'hen-backup.yaml');
    const init = spawnSync('hen-backup', ['init', config], { env: env(), encoding: 'utf8' });
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(readFileSync(config, 'utf8')).toContain(
      `$schema=${join(prefix, 'lib', 'node_modules', 'hen-backup', 'hen-backup.schema.json')}`,
    );
    const check = spawnSync('hen-backup', ['--config', config, '--check-config'], {
      env: env(),
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('configuration is valid: 1 backups, 1 repositories');

    const port = await freePort();
    const daemon = spawn('hen-backup', ['--config', config], {
      env: env({ HEN_BACKUP_PORT: String(port) }),
      stdio: 'ignore',
    });
    daemons.push(daemon);
    const query = async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ status { hostname } }' }),
        });
        return (await response.json()) as { data?: { status: { hostname: string } } };
      } catch {
        return null;
      }
    };
    let answer: Awaited<ReturnType<typeof query>> = null;
    await waitFor(async () => (answer = await query()) !== null, 'the installed daemon', 60_000);
    expect(answer).toEqual({ data: { status: { hostname: hostname() } } });
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
  });
});
