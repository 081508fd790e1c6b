import { join } from 'node:path';
import type { BackupRecords } from '../../src/jobs/backup-records';
import { RecordRows } from '../../src/jobs/job-record-rows';
import { JobStore } from '../../src/jobs/job-store';
import { StateDatabase } from '../../src/state/state-database';
import { Daemon, startDaemon } from './support/daemon';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { writeRandomFiles } from './support/fixtures';
import { GraphQLTestClient } from './support/graphql-client';
import { listJobs } from './support/wait';

const PASSWORD = 'records-password-5521';

function sorted(records: BackupRecords) {
  const by = (r: object) => JSON.stringify(r);
  return Object.fromEntries(
    Object.entries(records.all()).map(([kind, list]) => [
      kind,
      [...list].sort((a, b) => (by(a) < by(b) ? -1 : 1)),
    ]),
  );
}

/**
 * The records the metrics and the status read at start (job_records) are written with each job's
 * end: a daemon killed with SIGKILL at any moment leaves them equal to what the history says.
 */
describe('records kept as jobs end, through SIGKILLs of a busy daemon', () => {
  const dir = tempDir('e2e-records');
  const dataDir = join(dir.path, 'state');
  let daemon: Daemon | undefined;

  afterAll(async () => {
    await daemon?.stop();
    dir.cleanup();
  });

  /** Opens the state file of the stopped daemon and compares the kept records with a recount. */
  function expectRecordsMatchHistory(): { jobs: number; states: Set<string> } {
    const database = new StateDatabase({ dataDir });
    try {
      const kept = sorted(new JobStore(database).backupRecords());
      expect(kept).toEqual(sorted(RecordRows.recompute(database.db)));
      const rows = database.db.prepare('SELECT state FROM jobs').all() as { state: string }[];
      return { jobs: rows.length, states: new Set(rows.map((r) => r.state)) };
    } finally {
      database.close();
    }
  }

  it('equal a full recomputation from the history after each kill and after a clean stop', async () => {
    for (const name of ['often', 'sometimes']) writeRandomFiles(join(dir.path, name), 5, 4096);
    let configPath: string;
    let port: number;
    ({ daemon, configPath, port } = await startDaemon(dir.path, {
      hostname: 'records-host',
      jobs: { concurrency: 2 },
      repositories: {
        local: {
          location: join(dir.path, 'local'),
          password: PASSWORD,
          check: { schedules: ['4s'] },
        },
        other: { location: join(dir.path, 'other'), password: PASSWORD },
        // a location that cannot be made: its init and every backup into it fail
        broken: { location: '/dev/null/repository', password: PASSWORD },
      },
      backups: {
        often: {
          paths: [join(dir.path, 'often')],
          repositories: ['local', 'other'],
          schedules: ['1s'],
          retention: { keepLast: 2 },
          prune: { schedules: ['3s'] },
        },
        sometimes: {
          paths: [join(dir.path, 'sometimes')],
          repositories: ['local', 'broken'],
          schedules: ['2s'],
        },
      },
    }));
    // kills at moments unrelated to what runs: in a job, between two, while one ends
    for (const wait of [2500, 1700, 3300]) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      daemon.kill('SIGKILL');
      await daemon.exited;
      expectRecordsMatchHistory();
      daemon = await Daemon.start(configPath);
    }
    // however slow the machine, the history holds a success before the last stop
    const client = new GraphQLTestClient(port);
    await waitFor(
      async () => (await listJobs(client, ['BACKUP'])).some((j) => j.state === 'SUCCEEDED'),
      'a backup that succeeded',
      90_000,
    );
    await client.close();
    await daemon.stop();
    daemon = undefined;
    const { jobs, states } = expectRecordsMatchHistory();
    expect(jobs).toBeGreaterThan(8);
    expect(states).toContain('succeeded');
    expect(states).toContain('failed');
  }, 240_000);
});
