import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, writeConfigFile } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';

const GARBAGE = Buffer.from('definitely not SQLite: garbage written by the test '.repeat(100));

/** A damaged state database is kept aside and replaced; one that cannot be opened stops the start. */
describe('the state database, damaged or unusable', () => {
  const dir = tempDir('e2e-statedb');

  const writeConfig = async (name: string) => {
    const dataDir = join(dir.path, name);
    mkdirSync(dataDir, { recursive: true });
    writeRandomFiles(join(dir.path, 'data'), 1, 512);
    const { port, configPath } = await writeConfigFile(
      dir.path,
      {
        dataDir,
        repositories: { local: { location: join(dir.path, 'repo'), password: 'state-db-pw' } },
        backups: { docs: { paths: [join(dir.path, 'data')], repositories: ['local'] } },
      },
      `${name}.yaml`,
    );
    return { port, dataDir, configPath };
  };

  afterAll(() => dir.cleanup());

  it('starts on a garbage state.db: keeps it aside, logs it loudly, and works', async () => {
    const { port, dataDir, configPath } = await writeConfig('garbage');
    writeFileSync(join(dataDir, 'state.db'), GARBAGE);
    writeFileSync(join(dataDir, 'state.db-wal'), 'old wal');
    const daemon = await Daemon.start(configPath);
    const client = new GraphQLTestClient(port);
    try {
      const aside = readdirSync(dataDir).filter((f) => /^state\.db\.corrupt-\d{8}T\d{6}Z$/.test(f));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dataDir, aside[0]))).toEqual(GARBAGE);
      expect(readFileSync(join(dataDir, `${aside[0]}-wal`), 'utf8')).toBe('old wal');

      const warning = daemon.stdout
        .map((line) => JSON.parse(line) as { level: string; msg: string; context?: string })
        .find((l) => l.context === 'StateDatabase');
      expect(warning).toMatchObject({ level: 'error' });
      expect(warning!.msg).toContain(join(dataDir, 'state.db'));
      expect(warning!.msg).toContain(aside[0]);

      expect(await client.data('{ status { version } }')).toEqual({
        status: { version: expect.any(String) },
      });
      const { jobs } = await client.data('{ jobs { edges { node { operation } } } }');
      expect(jobs.edges).toEqual([{ node: { operation: 'INIT' } }]);
    } finally {
      await client.close();
      await daemon.stop();
    }
  });

  it('refuses to start, exit 1, when state.db cannot be opened, and leaves it alone', async () => {
    const { configPath, dataDir } = await writeConfig('unusable');
    // A folder where the file should be: like a permission problem, nothing to move aside.
    mkdirSync(join(dataDir, 'state.db'));
    const daemon = Daemon.spawn(['--config', configPath]);
    const exit = await daemon.exited;
    expect(exit.code).toBe(1);
    const stderr = daemon.stderr.join('\n');
    expect(stderr).toContain(`the state database ${join(dataDir, 'state.db')} cannot be opened`);
    expect(stderr).toContain('left it untouched');
    expect(readdirSync(dataDir)).toEqual(['state.db']);
  });
});
