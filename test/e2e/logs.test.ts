import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { listJobs } from './support/wait';
import { waitFor } from '../support/wait-for';

const VIEWER = 'viewer-token-logs-0123456789';
const ADMIN = 'admin-token-logs-0123456789';

const parsed = (lines: string[]) =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

/** Logs an operator can alert on: client mistakes stay quiet, background work has no reqId. */
describe('daemon logs', () => {
  const dir = tempDir('e2e-logs');
  let started: StartedDaemon;
  const config = (more: { schedules?: string[]; second?: boolean } = {}) => ({
    api: {
      tokens: [
        { name: 'viewer', role: 'viewer', token: VIEWER },
        { name: 'admin', role: 'admin', token: ADMIN },
      ],
    },
    repositories: {
      local: { location: join(dir.path, 'repo'), password: 'logs-test-password' },
      ...(more.second
        ? { second: { location: join(dir.path, 'repo2'), password: 'logs-test-password' } }
        : {}),
    },
    backups: {
      docs: {
        paths: [join(dir.path, 'data')],
        repositories: ['local'],
        ...(more.schedules ? { schedules: more.schedules } : {}),
      },
    },
  });

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 2, 1024);
    started = await startDaemon(dir.path, config());
  });

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('logs a burst of client mistakes without an error line or a stack', async () => {
    const before = started.daemon.stdout.length;
    const viewer = new GraphQLTestClient(started.port, VIEWER);
    const anonymous = new GraphQLTestClient(started.port);
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => viewer.request('{ job(id: "424242") { id } }')),
      ...Array.from({ length: 5 }, () => viewer.request('{ job(id: "not a job id") { id } }')),
      ...Array.from({ length: 5 }, () =>
        viewer.request('mutation { runBackup(name: "docs") { id } }'),
      ),
      ...Array.from({ length: 5 }, () => anonymous.request('{ status { version } }')),
      ...Array.from({ length: 5 }, () => viewer.request('{ status { nope } }')),
      ...Array.from({ length: 5 }, () => viewer.request('{ status {')),
      ...Array.from({ length: 5 }, () => viewer.request('{ backup(name: "none") { name } }')),
    ]);
    const codes = new Set(answers.map((a) => a.errors?.[0]?.extensions?.code));
    expect([...codes].sort()).toEqual([
      'BAD_USER_INPUT',
      'FORBIDDEN',
      'GRAPHQL_PARSE_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
      'NOT_FOUND',
      'UNAUTHENTICATED',
    ]);
    // let anything logged late arrive
    await new Promise((r) => setTimeout(r, 500));
    const lines = [...started.daemon.stdout.slice(before), ...started.daemon.stderr];
    expect(lines.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
    expect(lines.filter((line) => /\n\s+at |\\n\s+at |"stack"/.test(line))).toEqual([]);
    // every line is one JSON object
    expect(parsed(started.daemon.stdout.slice(before))).toHaveLength(
      started.daemon.stdout.length - before,
    );
  });

  it('after a reload, scheduled jobs and new repositories log without the request id', async () => {
    const admin = new GraphQLTestClient(started.port, ADMIN);
    writeFileSync(
      started.configPath,
      stringify({
        dataDir: join(dir.path, 'state'),
        ...config({ schedules: ['3s'], second: true }),
        api: { ...config().api, host: '127.0.0.1', port: started.port },
      }),
    );
    const from = started.daemon.stdout.length;
    expect((await admin.request('mutation { reloadConfig { reloaded } }')).errors).toBeUndefined();
    await waitFor(
      async () =>
        (await listJobs(admin, ['BACKUP'])).filter(
          (j) => j.trigger === 'SCHEDULE' && j.state === 'SUCCEEDED',
        ).length >= 2,
      'two scheduled backups',
    );
    const lines = parsed(started.daemon.stdout.slice(from));
    const withRequest = lines.filter((l) => 'reqId' in l);
    // the request's own lines (the reload) carry its id ...
    expect(withRequest.length).toBeGreaterThan(0);
    const reqIds = new Set(withRequest.map((l) => l.reqId));
    expect(reqIds.size).toBe(1);
    // ... and no job, schedule, watcher or init started from it does
    expect(withRequest.filter((l) => 'jobId' in l)).toEqual([]);
    const jobLines = lines.filter((l) => 'jobId' in l);
    expect(jobLines.some((l) => String(l.path).startsWith('schedule > backup'))).toBe(true);
    expect(jobLines.some((l) => String(l.path).startsWith('reload > init'))).toBe(true);
    const lastRequestLine = lines.lastIndexOf(withRequest[withRequest.length - 1]);
    const firstJobLine = lines.findIndex((l) => 'jobId' in l);
    // the request's lines all come before what it set going logs
    expect(lastRequestLine).toBeLessThan(lines.length - 1);
    expect(firstJobLine).toBeGreaterThanOrEqual(0);
  }, 90_000);
});
