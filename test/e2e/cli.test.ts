import { join } from 'node:path';
import { Daemon, writeConfigFile } from './support/daemon';
import { tempDir } from '../support/temp-dir';

/** Starting the daemon from the command line, as a person or a service manager would. */
describe('the hen-backup command', () => {
  const dir = tempDir('e2e-cli');
  afterAll(() => dir.cleanup());

  const validConfig = {
    repositories: { local: { location: join(dir.path, 'repo'), password: 'cli-test-password' } },
    backups: { docs: { paths: [dir.path], repositories: ['local'] } },
  };
  /** Writes the configuration (api on a free port) to `name` in the folder. */
  const write = (name: string, config: Record<string, unknown> = validConfig) =>
    writeConfigFile(dir.path, config, name);

  it('refuses a configuration with problems, listing each with its key path, and does not listen', async () => {
    const { port, configPath } = await write('bad.yaml', {
      ...validConfig,
      backups: {
        pictures: { paths: ['/tmp'], repositories: ['nowhere'], schedules: ['1d', '5x'] },
      },
      colour: 'blue',
    });
    const daemon = Daemon.spawn(['--config', configPath]);
    const exit = await daemon.exited;
    expect(exit.code).toBe(2);
    const stderr = daemon.stderr.join('\n');
    expect(stderr).toContain(
      'backups.pictures.schedules[1]: "5x" is not a duration or cron expression',
    );
    expect(stderr).toContain('backups.pictures.repositories[0]: unknown repository "nowhere"');
    expect(stderr).toMatch(/colour: unknown key/);
    await expect(fetch(`http://127.0.0.1:${port}/graphql`)).rejects.toThrow();
  });

  it('checks a configuration with --check-config and exits', async () => {
    const { configPath } = await write('good.yaml');
    const daemon = Daemon.spawn(['--check-config', '--config', configPath]);
    expect((await daemon.exited).code).toBe(0);
    expect(daemon.stdout.join('\n')).toContain('configuration is valid: 1 backups, 1 repositories');
  });

  it('takes the configuration path from HEN_BACKUP_CONFIG, and says when there is none', async () => {
    const { configPath } = await write('env.yaml');
    const fromEnv = Daemon.spawn(['--check-config'], { HEN_BACKUP_CONFIG: configPath });
    expect((await fromEnv.exited).code).toBe(0);
    const none = Daemon.spawn([], { HEN_BACKUP_CONFIG: '' });
    expect((await none.exited).code).toBe(2);
    expect(none.stderr.join('\n')).toContain('pass --config PATH or set HEN_BACKUP_CONFIG');
  });

  it('prints its version', async () => {
    const daemon = Daemon.spawn(['--version']);
    expect((await daemon.exited).code).toBe(0);
    expect(daemon.stdout.join('\n')).toMatch(/^hen-backup \d+\.\d+\.\d+$/);
  });

  it('does not start without restic, and says how to install it', async () => {
    const { port, configPath } = await write('no-restic.yaml');
    const daemon = Daemon.spawn(['--config', configPath], {
      RESTIC_BIN: join(dir.path, 'no-such-restic'),
    });
    const exit = await daemon.exited;
    expect(exit.code).toBe(1);
    expect(daemon.stderr.join('\n')).toMatch(
      /restic was not found at .*no-such-restic.*apt-get install restic/,
    );
    await expect(fetch(`http://127.0.0.1:${port}/graphql`)).rejects.toThrow();
  });
});
