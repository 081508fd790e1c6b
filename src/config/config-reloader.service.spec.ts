import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config-loader';
import { ConfigReloader } from './config-reloader.service';
import { LiveConfig } from './live-config';

/** The reloader over real files read by the real loader. */
describe('ConfigReloader', () => {
  let dir: string;
  let file: string;
  let live: LiveConfig;
  let reloader: ConfigReloader;
  let errors: unknown[];

  const write = (backups: string, extra = '') =>
    writeFileSync(
      file,
      `dataDir: ${join(dir, 'state')}
api: { host: 127.0.0.1, port: 4100 }
${extra}
repositories:
  local: { location: ${join(dir, 'repo')}, password: reload-test-password }
backups:
${backups}
`,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-reload-'));
    file = join(dir, 'hen.yaml');
    write(`  docs: { paths: [${dir}/docs], repositories: [local], schedules: [1h] }
  music: { paths: [${dir}/music], repositories: [local] }`);
    live = new LiveConfig(loadConfig(file));
    reloader = new ConfigReloader(live, () => loadConfig(file));
    errors = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation((entry: unknown) => {
      errors.push(entry);
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts a valid file in force and says what changed', () => {
    const heard: string[][] = [];
    live.onChange((change) => heard.push(Object.keys(change.current.backups)));
    write(`  docs: { paths: [${dir}/docs], repositories: [local], schedules: [2h] }
  videos: { paths: [${dir}/videos], repositories: [local] }`);
    const outcome = reloader.reload('test');
    expect(outcome).toMatchObject({
      reloaded: true,
      change: {
        backups: { added: ['videos'], removed: ['music'], changed: ['docs'] },
        repositories: { added: [], removed: [], changed: [] },
      },
    });
    expect(Object.keys(live.current.backups)).toEqual(['docs', 'videos']);
    expect(heard).toEqual([['docs', 'videos']]);
  });

  it('refuses a file with errors, keeps the configuration in force and tells nobody', () => {
    const before = live.current;
    const listener = jest.fn();
    live.onChange(listener);
    write(`  docs: { paths: [${dir}/docs], repositories: [nowhere], schedules: [often] }`);
    const outcome = reloader.reload('test');
    expect(outcome.reloaded).toBe(false);
    expect(outcome.reloaded === false && outcome.issues.map((i) => i.path)).toEqual([
      'backups.docs.repositories[0]',
      'backups.docs.schedules[0]',
    ]);
    expect(live.current).toBe(before);
    expect(listener).not.toHaveBeenCalled();
    expect(errors).toHaveLength(1);
  });

  it('refuses a file that cannot be read at all', () => {
    rmSync(file);
    const outcome = reloader.reload('test');
    expect(outcome).toMatchObject({ reloaded: false, issues: [{ path: '(root)' }] });
  });

  it('refuses changes to what only a restart can apply, naming each key', () => {
    writeFileSync(
      file,
      `dataDir: ${join(dir, 'elsewhere')}
api: { host: 127.0.0.1, port: 4200 }
readOnly: true
repositories:
  local: { location: ${join(dir, 'repo')}, password: reload-test-password }
backups: {}
`,
    );
    const before = live.current;
    const outcome = reloader.reload('test');
    expect(outcome.reloaded === false && outcome.issues).toEqual([
      { path: 'dataDir', message: expect.stringContaining('restart') },
      { path: 'api.port', message: expect.stringContaining('restart') },
      { path: 'readOnly', message: expect.stringContaining('restart') },
    ]);
    expect(live.current).toBe(before);
  });

  it('keeps telling the other listeners when one of them throws', () => {
    const second = jest.fn();
    live.onChange(() => {
      throw new Error('cannot follow');
    });
    live.onChange(second);
    write(`  docs: { paths: [${dir}/docs], repositories: [local] }`);
    expect(reloader.reload('test').reloaded).toBe(true);
    expect(second).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(errors)).toContain('cannot follow');
  });
});
