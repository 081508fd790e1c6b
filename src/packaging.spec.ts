import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

/** The Dockerfile, the compose file and the systemd unit agree with the code they package. */
const ROOT = resolve(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Runs the CLI from source, as `node dist/main.js` would run the build. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 60_000,
  });
}

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, with continuation lines joined and comments dropped. */
function dockerInstructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** `[Section]` -> key -> values (a key may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`unexpected line in the unit: ${line}`);
    (current[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return sections;
}

/** The long options main.ts's --help lists. */
function cliOptions(): Set<string> {
  const help = cli(['--help']);
  expect(help.status).toBe(0);
  return new Set([...help.stdout.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]));
}

describe('Dockerfile', () => {
  const instructions = dockerInstructions(read('Dockerfile'));
  const of = (keyword: string) => instructions.filter((i) => i.keyword === keyword);
  const stages = of('FROM');
  const runtime = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));
  const inRuntime = (keyword: string) => runtime.filter((i) => i.keyword === keyword);

  it('builds in one stage and runs in another, both on a Node LTS (even major)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      const major = /^node:(\d+)/.exec(stage.args)?.[1];
      expect(major).toBeDefined();
      expect(Number(major) % 2).toBe(0);
      expect(Number(major)).toBeGreaterThanOrEqual(20);
    }
    expect(of('RUN').some((run) => run.args.includes('npm run build'))).toBe(true);
    expect(inRuntime('COPY').some((copy) => /--from=\S+ \S*dist/.test(copy.args))).toBe(true);
  });

  it('copies into the build stage the scripts that npm run build runs', () => {
    const manifest = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const scripts = manifest.scripts.build.match(/scripts\/[\w.-]+/g) ?? [];
    expect(scripts).toContain('scripts/bundle-daemon.ts');
    const build = instructions.slice(0, instructions.indexOf(stages[1]));
    const copied = build.filter((i) => i.keyword === 'COPY').map((copy) => copy.args.split(/\s+/));
    for (const script of scripts) {
      expect(copied.some((sources) => sources.slice(0, -1).includes(script))).toBe(true);
    }
  });

  it('ships the configuration schema that hen-backup init points at, beside package.json', () => {
    const copied = inRuntime('COPY')
      .filter((copy) => !copy.args.startsWith('--from'))
      .flatMap((copy) => copy.args.split(/\s+/).slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'hen-backup.schema.json']));
  });

  it('installs restic in the runtime stage and runs as a user that is not root', () => {
    expect(inRuntime('RUN').some((run) => /apt-get install .*\brestic\b/.test(run.args))).toBe(
      true,
    );
    const users = inRuntime('USER');
    expect(users).toHaveLength(1);
    expect(users[0].args).not.toMatch(/^(root|0)(:|$)/);
  });

  it('keeps the state on a volume, checks /health/live and starts dist/main.js', () => {
    expect(inRuntime('VOLUME').map((v) => v.args)).toEqual(['["/var/lib/hen-backup"]']);
    const [healthcheck] = inRuntime('HEALTHCHECK');
    expect(healthcheck.args).toContain('CMD');
    expect(healthcheck.args).toContain('/health/live');
    expect(healthcheck.args).not.toContain('curl');
    const [entrypoint] = inRuntime('ENTRYPOINT');
    expect(JSON.parse(entrypoint.args)).toEqual(['node', 'dist/main.js']);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const service = compose.services['hen-backup'];

  it('builds or pulls the image and restarts it', () => {
    expect(service.image ?? service.build).toBeDefined();
    expect(service.build).toBe('.');
    expect(service.restart).toMatch(/^(always|unless-stopped|on-failure)/);
  });

  it('mounts the configuration read-only and the state on a named volume', () => {
    const volumes = service.volumes as string[];
    const config = volumes.find((v) => v.split(':')[1] === '/etc/hen-backup/config.yaml');
    expect(config).toBeDefined();
    expect(config!.split(':')[2]).toBe('ro');
    expect(existsSync(join(ROOT, config!.split(':')[0]))).toBe(true);
    const state = volumes.find((v) => v.split(':')[1] === '/var/lib/hen-backup');
    expect(Object.keys(compose.volumes)).toContain(state!.split(':')[0]);
  });

  it('publishes the API on loopback only, and checks /health/live', () => {
    const ports = service.ports as string[];
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:4000$/);
    const healthcheck = service.healthcheck as { test: string[] };
    expect(healthcheck.test[0]).toBe('CMD');
    expect(healthcheck.test.join(' ')).toContain('/health/live');
  });
});

describe('packaging/hen-backup.service', () => {
  const unit = parseUnit(read('packaging/hen-backup.service'));
  const service = unit.Service;

  it('runs the built dist/main.js with options the CLI accepts', () => {
    const [execStart] = service.ExecStart;
    const [node, main, ...args] = execStart.split(/\s+/);
    expect(node).toMatch(/\/node$/);
    // dist/main.js is what `npm run build` makes of src/main.ts
    const build = parse(read('tsconfig.build.json')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    const built = join(
      build.compilerOptions.outDir,
      relative(build.compilerOptions.rootDir, 'src/main.ts').replace(/\.ts$/, '.js'),
    );
    expect(built).toBe('dist/main.js');
    expect(main).toBe(`${service.WorkingDirectory[0]}/${built}`);
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
    const known = cliOptions();
    for (const arg of args.filter((a) => a.startsWith('--'))) expect(known).toContain(arg);
    expect(args).toEqual(['--config', '/etc/hen-backup/config.yaml']);
  });

  it('stops with SIGTERM within 30s, as its own user, with a state directory', () => {
    expect(service.KillSignal).toEqual(['SIGTERM']);
    expect(service.TimeoutStopSec).toEqual(['30']);
    expect(service.User[0]).not.toMatch(/^(root|0)$/);
    expect(service.StateDirectory).toEqual(['hen-backup']);
    // main.ts reloads the configuration on SIGHUP
    expect(service.ExecReload).toEqual(['/bin/kill -HUP $MAINPID']);
  });

  it('is hardened but can read backup paths and write its state', () => {
    expect(service.ProtectSystem).toEqual(['strict']);
    expect(service.ReadWritePaths.join(' ')).toContain('/var/lib/hen-backup');
    expect(service.NoNewPrivileges).toEqual(['true']);
    // "yes"/"tmpfs" would hide /home from backups
    expect(service.ProtectHome ?? ['read-only']).toEqual(['read-only']);
    expect(unit.Install.WantedBy).toEqual(['multi-user.target']);
  });
});

describe('packaging/config.example.yaml', () => {
  it('passes --check-config', () => {
    const result = cli(['--config', 'packaging/config.example.yaml', '--check-config'], {
      HEN_BACKUP_ADMIN_TOKEN: 'an-admin-token-0123456789',
      HEN_BACKUP_REPO_PASSWORD: 'a-repository-password',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('configuration is valid');
    expect(result.status).toBe(0);
  });

  it('keeps its state in /var/lib/hen-backup', () => {
    const config = parse(read('packaging/config.example.yaml')) as { dataDir: string };
    expect(config.dataDir).toBe('/var/lib/hen-backup');
  });

  it('is the file the compose service mounts', () => {
    expect(read('docker-compose.yml')).toContain('./packaging/config.example.yaml:');
  });
});
