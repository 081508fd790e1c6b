import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from './config/config-loader';

/** `hen-backup init` as a person runs it, from source. */
function henBackup(args: string[], home: string) {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts', ...args], {
    cwd: resolve(__dirname, '..'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home },
    timeout: 60_000,
  });
}

describe('hen-backup init', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-init-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a configuration that loads, with a private random password and the schema line', () => {
    const file = join(dir, 'etc', 'hen-backup.yaml');
    mkdirSync(join(dir, 'etc'));
    const result = henBackup(['init', file], dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(
      `# yaml-language-server: $schema=${resolve(__dirname, '..', 'hen-backup.schema.json')}`,
    );
    const config = loadConfig(file, {});
    expect(config.hostname).toBe(hostname());
    // no --folder: the home folder, without hen-backup's own files
    expect(config.backups.home.paths).toEqual([dir]);
    expect(config.backups.home.excludes).toContain(join(dir, 'etc', 'hen-backup'));
    expect(config.repositories.local.location).toBe(join(dir, 'etc', 'hen-backup', 'repository'));
    const passwordFile = (parse(text) as { repositories: { local: { passwordFile: string } } })
      .repositories.local.passwordFile;
    const password = join(dir, 'etc', passwordFile);
    expect(statSync(password).mode & 0o777).toBe(0o600);
    expect(readFileSync(password, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(result.stdout).toContain(password);
  });

  it('backs up the folder given, and refuses to overwrite an existing file', () => {
    const folder = join(dir, 'documents');
    mkdirSync(folder);
    const file = join(dir, 'config.yaml');
    expect(henBackup(['init', file, '--folder', folder], dir).status).toBe(0);
    expect(loadConfig(file, {}).backups.home.paths).toEqual([folder]);

    writeFileSync(file, 'mine: true\n');
    const again = henBackup(['init', file], dir);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('never overwrites');
    expect(readFileSync(file, 'utf8')).toBe('mine: true\n');
  });

  it('keeps an existing password file: it may protect an existing repository', () => {
    mkdirSync(join(dir, 'hen-backup'));
    writeFileSync(join(dir, 'hen-backup', 'repository-password'), 'kept-password\n');
    expect(henBackup(['init', join(dir, 'config.yaml')], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'hen-backup', 'repository-password'), 'utf8')).toBe(
      'kept-password\n',
    );
  });
});
