import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadConfig } from './config-loader';
import { applyOverrides, collectOverrides } from './config-overrides';

describe('collectOverrides', () => {
  it('takes a flag over its variable, and the variable when no flag is given', () => {
    const overrides = collectOverrides(
      { '--port': '4100' },
      { HEN_BACKUP_PORT: '4200', HEN_BACKUP_HOST: '127.0.0.2' },
      '/srv',
    );
    expect(overrides).toEqual([
      { path: ['api', 'host'], value: '127.0.0.2', source: 'HEN_BACKUP_HOST' },
      { path: ['api', 'port'], value: 4100, source: '--port' },
    ]);
  });

  it('reads a relative data folder against the working folder and ignores empty variables', () => {
    expect(
      collectOverrides({}, { HEN_BACKUP_DATA_DIR: 'state', HEN_BACKUP_PORT: '' }, '/srv'),
    ).toEqual([{ path: ['dataDir'], value: '/srv/state', source: 'HEN_BACKUP_DATA_DIR' }]);
  });
});

describe('applyOverrides', () => {
  it('writes into a copy, creating the mappings on the way', () => {
    const tree = { dataDir: '/a' };
    const result = applyOverrides(tree, [{ path: ['api', 'port'], value: 1, source: '--port' }]);
    expect(result).toEqual({ dataDir: '/a', api: { port: 1 } });
    expect(tree).toEqual({ dataDir: '/a' });
  });

  it('leaves a value that is not a mapping for the validator to report', () => {
    const tree = { api: 'nope' };
    expect(applyOverrides(tree, [{ path: ['api', 'port'], value: 1, source: '--port' }])).toEqual(
      tree,
    );
  });
});

describe('loadConfig with overrides', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-overrides-'));
    file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'dataDir: ./from-file',
        'api: { host: 127.0.0.1, port: 4000 }',
        'repositories: { local: { location: ./repo, password: a-password-here } }',
        'backups: { b: { paths: [.], repositories: [local] } }',
      ].join('\n'),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('overrides the file: flag over environment over file', () => {
    const overrides = collectOverrides(
      { '--port': '4321', '--data-dir': '/var/tmp/hen' },
      { HEN_BACKUP_PORT: '4999', HEN_BACKUP_HOST: '127.0.0.3' },
    );
    const config = loadConfig(file, {}, overrides);
    expect(config.api.port).toBe(4321);
    expect(config.api.host).toBe('127.0.0.3');
    expect(config.dataDir).toBe('/var/tmp/hen');
    expect(loadConfig(file, {}, []).api.port).toBe(4000);
  });

  it('reports a bad value at its key path and names the flag or variable', () => {
    const overrides = collectOverrides({ '--port': '70000' }, { HEN_BACKUP_HOST: '0.0.0.0' });
    let error: unknown;
    try {
      loadConfig(file, {}, overrides);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toContainEqual({
      path: 'api.port',
      message: '70000 is outside 1..65535 (set by --port)',
    });
    const host = issues.find((issue) => issue.path === 'api.host');
    expect(host?.message).toMatch(/not a loopback address.*\(set by HEN_BACKUP_HOST\)$/);
  });
});
