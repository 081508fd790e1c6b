import 'reflect-metadata';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HenConfig } from '../src/config/config.types';
import { JobStore } from '../src/jobs/job-store';
import type { Job, JobOperation, JobState, JobStep, JobTrigger } from '../src/jobs/job.types';
import { StateDatabase } from '../src/state/state-database';
import { startDaemon, type StartedDaemon } from '../test/e2e/support/daemon';
import { waitForJobs } from '../test/e2e/support/wait';
import type { Benchmark, BenchResult } from './bench-result';
import { mulberry32, scaled } from './support/dataset';
import { median, percentile, sinceSeconds } from './support/measure';

const JOBS = 100_000;
const LOG_LINES = 1_000;
/** timed requests per query (never scaled: requests are cheap, and p95 needs enough of them) */
const REQUESTS_PER_FILTER = 100;
const LOG_REQUESTS = 200;
const WARM_UP = 10;
const GOAL_MS = 50;
const PASSWORD = 'bench-history-password';
const BACKUPS = ['photos', 'documents', 'mail', 'code', 'music', 'projects'];
const REPOSITORIES = ['nas', 'cloud'];
const DAY_MS = 24 * 60 * 60 * 1000;
/** the job-log page size is capped at 500 (api/connection.ts), so 1,000 lines take two pages */
const LOG_PAGE = 500;

const JOB_FIELDS = `id operation backup repository trigger priority state queuedAt startedAt endedAt
  error { code message } warnings snapshotIds
  steps { name kind repository state startedAt endedAt snapshotId error { code message } summary }
  progress { percent filesDone totalFiles bytesDone totalBytes secondsElapsed }`;

const JOBS_QUERY = `query($first: Int, $filter: JobFilterInput) {
  jobs(first: $first, filter: $filter) { edges { cursor node { ${JOB_FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

const JOB_LOG_QUERY = `query($id: ID!, $first: Int, $after: String) {
  job(id: $id) { ${JOB_FIELDS} logs(first: $first, after: $after) {
    edges { cursor node { seq time level path message } } pageInfo { hasNextPage endCursor } } }
}`;

/** a weekly backup among the frequent ones: 52 jobs in the year of history */
const WEEKLY = 'archive';
const WEEKLY_JOBS = 52;

/**
 * Filters a dashboard asks for, used in turn: one backup's failures, one backup's successful
 * backups, a repository's checks, every interrupted job (rare, so the page reaches far back),
 * and the successful runs of the weekly backup (fewer than a page among all the history).
 */
const FILTERS: { name: string; filter: Record<string, unknown> }[] = [
  { name: 'backup+state', filter: { backup: 'photos', states: ['FAILED'] } },
  {
    name: 'backup+state+operation',
    filter: { backup: 'mail', states: ['SUCCEEDED'], operations: ['BACKUP'] },
  },
  { name: 'repository+operation', filter: { repository: 'cloud', operations: ['CHECK'] } },
  { name: 'a rare state', filter: { states: ['INTERRUPTED'] } },
  { name: 'weekly backup+state', filter: { backup: WEEKLY, states: ['SUCCEEDED'] } },
];

interface JobsAnswer {
  jobs: { edges: unknown[] };
}
interface JobLogAnswer {
  job: { logs: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
}

/** A weighted pick. */
function pick<T>(next: () => number, choices: [T, number][]): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let r = next() * total;
  for (const [value, weight] of choices) {
    r -= weight;
    if (r < 0) return value;
  }
  return choices[choices.length - 1][0];
}

const hex = (next: () => number, length: number) =>
  Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join('');

/**
 * Fills the state database with `count` ended jobs through the daemon's own JobStore (so the
 * rows are exactly what the daemon writes), in one transaction: a year of history, oldest first,
 * mostly backups (one restic step per repository), some prunes, checks, unlocks and restores;
 * mostly successes with failures, cancels and interruptions; four log lines per job, and
 * `LOG_LINES` for one backup job in the middle, whose id is returned.
 */
function fillHistory(dataDir: string, count: number): { bigLogJob: number; logRows: number } {
  const config = { dataDir } as HenConfig;
  const database = new StateDatabase(config);
  try {
    const store = new JobStore(database);
    const next = mulberry32(42);
    const now = Date.now();
    const start = now - 365 * DAY_MS;
    const bigLogIndex = Math.floor(count / 2);
    const weeklyEvery = Math.floor(count / WEEKLY_JOBS);
    let bigLogJob = 0;
    let logRows = 0;
    database.db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const weekly = i % weeklyEvery === weeklyEvery - 1 && i !== bigLogIndex;
        const picked = pick<JobOperation>(next, [
          ['backup', 80],
          ['prune', 8],
          ['check', 7],
          ['unlock', 2],
          ['restore', 2],
          ['init', 1],
        ]);
        const operation = weekly ? 'backup' : picked;
        const state =
          i === bigLogIndex
            ? 'succeeded'
            : pick<JobState>(next, [
                ['succeeded', 85],
                ['failed', 10],
                ['canceled', 3],
                ['interrupted', 2],
              ]);
        const trigger = pick<JobTrigger>(next, [
          ['schedule', 75],
          ['watch', 12],
          ['api', 10],
          ['startup', 3],
        ]);
        const backup = weekly
          ? WEEKLY
          : operation === 'backup' || operation === 'prune' || operation === 'restore'
            ? BACKUPS[Math.floor(next() * BACKUPS.length)]
            : null;
        const repository =
          backup === null ? REPOSITORIES[Math.floor(next() * REPOSITORIES.length)] : null;
        const queued = start + ((now - start - 60_000) * i) / count;
        const started = queued + Math.floor(next() * 5_000);
        const ended = started + Math.floor(1_000 + next() * 600_000);
        const iso = (ms: number) => new Date(ms).toISOString();
        const error =
          state === 'failed'
            ? {
                code: 'RESTIC_FAILED',
                message: 'restic exited with status 1: Fatal: unable to open repository',
              }
            : state === 'canceled'
              ? { code: 'CANCELED', message: 'canceled by an operator' }
              : state === 'interrupted'
                ? { code: 'INTERRUPTED', message: 'the daemon stopped while the job ran' }
                : null;
        const stepRepositories = backup && operation === 'backup' ? REPOSITORIES : [repository];
        const snapshotIds: string[] = [];
        const steps: JobStep[] = stepRepositories.map((repo, s) => {
          const failed = error !== null && s === stepRepositories.length - 1;
          const snapshotId = operation === 'backup' && !failed ? hex(next, 64) : null;
          if (snapshotId) snapshotIds.push(snapshotId);
          return {
            name: `${operation} ${repo ?? ''}`.trim(),
            kind: 'restic',
            repository: repo,
            state: failed ? (state === 'failed' ? 'failed' : 'canceled') : 'succeeded',
            startedAt: iso(started),
            endedAt: iso(ended),
            error: failed ? error : null,
            snapshotId,
            summary:
              operation === 'backup' && !failed
                ? {
                    filesNew: Math.floor(next() * 100),
                    filesChanged: Math.floor(next() * 50),
                    filesUnmodified: Math.floor(next() * 100_000),
                    dataAdded: Math.floor(next() * 1e8),
                    totalFilesProcessed: 100_000,
                    totalBytesProcessed: Math.floor(next() * 1e10),
                  }
                : null,
          };
        });
        const created = store.create(
          { operation, backup, repository, trigger, priority: 0 },
          iso(queued),
        );
        const job: Job = {
          ...created,
          state,
          startedAt: iso(started),
          endedAt: iso(ended),
          steps,
          progress:
            operation === 'backup'
              ? {
                  percent: 100,
                  jobPercent: 100,
                  complete: true,
                  filesDone: 100_000,
                  totalFiles: 100_000,
                  bytesDone: 5e9,
                  totalBytes: 5e9,
                  secondsElapsed: (ended - started) / 1000,
                  secondsRemaining: 0,
                  currentFiles: [],
                  step: steps[0]?.name ?? null,
                }
              : null,
          warnings: next() < 0.05 ? ['/home/me/.cache/lock: permission denied'] : [],
          error,
          snapshotIds,
        };
        store.save(job);
        const lines = i === bigLogIndex ? LOG_LINES : 4;
        if (i === bigLogIndex) bigLogJob = job.id;
        for (let seq = 1; seq <= lines; seq++) {
          store.appendLog({
            jobId: job.id,
            seq,
            time: iso(started + seq * 10),
            level: seq === lines && state !== 'succeeded' ? 'error' : 'info',
            path: `${trigger} > ${operation}#${job.id} > repository nas > restic`,
            message:
              seq === 1
                ? 'queued with priority normal'
                : `restic: processed ${seq * 113} files, ${seq * 7} MiB in 0:${String(seq % 60).padStart(2, '0')}`,
          });
          logRows++;
        }
      }
    })();
    return { bigLogJob, logRows };
  } finally {
    database.close();
  }
}

/** Milliseconds of each of `count` sequential calls, after `WARM_UP` untimed ones. */
async function timeRequests(
  count: number,
  call: (i: number, timed: boolean) => Promise<void>,
): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await call(i, false);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await call(i, true);
    times.push(sinceSeconds(started) * 1000);
  }
  return times;
}

const summary = (times: number[]) =>
  `p95 ${percentile(times, 95).toFixed(1)} ms (median ${median(times).toFixed(1)}, p99 ${percentile(times, 99).toFixed(1)}, max ${Math.max(...times).toFixed(1)}; ${times.length} requests)`;

async function historyBenchmark(): Promise<BenchResult[]> {
  const count = scaled(JOBS, 1_000);
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-history-'));
  let started: StartedDaemon | undefined;
  try {
    const dataDir = join(root, 'state');
    const paths = join(root, 'data');
    mkdirSync(paths);
    const filled = process.hrtime.bigint();
    const { bigLogJob, logRows } = fillHistory(dataDir, count);
    const fillSeconds = sinceSeconds(filled);

    const config = {
      dataDir,
      jobs: { history: { keepDays: 100_000, keepCount: 100_000_000 } },
      repositories: Object.fromEntries(
        REPOSITORIES.map((name) => [name, { location: join(root, name), password: PASSWORD }]),
      ),
      backups: Object.fromEntries(
        [...BACKUPS, WEEKLY].map((name) => [name, { paths: [paths], repositories: REPOSITORIES }]),
      ),
    };
    const booted = process.hrtime.bigint();
    started = await startDaemon(root, config, { entry: 'dist' });
    const bootSeconds = sinceSeconds(booted);
    const { client } = started;
    await waitForJobs(client, 'INIT', REPOSITORIES.length, 120_000);

    const db = new Database(join(dataDir, 'state.db'), { readonly: true, fileMustExist: true });
    let kept: number;
    try {
      kept = (
        db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE id <= ?').get(count) as { n: number }
      ).n;
    } finally {
      db.close();
    }
    if (kept !== count) {
      throw new Error(`the daemon kept ${kept} of the ${count} jobs written (history retention?)`);
    }

    // each filter's page length, checked on every request: a full page but for the weekly backup
    const expected = new Map<string, number>();
    for (const { name, filter } of FILTERS) {
      const { jobs } = await client.data<JobsAnswer>(JOBS_QUERY, { first: 50, filter });
      const full = name.startsWith('weekly') ? jobs.edges.length > 0 : jobs.edges.length === 50;
      if (!full) throw new Error(`filter ${name} found ${jobs.edges.length} jobs`);
      expected.set(name, jobs.edges.length);
    }
    const perFilter = new Map<string, number[]>(FILTERS.map(({ name }) => [name, []]));
    const listTimes = await timeRequests(REQUESTS_PER_FILTER * FILTERS.length, async (i, timed) => {
      const { name, filter } = FILTERS[i % FILTERS.length];
      const started = process.hrtime.bigint();
      const { jobs } = await client.data<JobsAnswer>(JOBS_QUERY, { first: 50, filter });
      if (timed) perFilter.get(name)!.push(sinceSeconds(started) * 1000);
      if (jobs.edges.length !== expected.get(name)) throw new Error(`filter ${name}: page changed`);
    });
    const filterP95 = FILTERS.map(({ name }) => ({
      name,
      p95: percentile(perFilter.get(name)!, 95),
      count: expected.get(name)!,
    }));
    const worstFilter = filterP95.reduce((a, b) => (b.p95 > a.p95 ? b : a));

    const id = String(bigLogJob);
    const logTimes = await timeRequests(LOG_REQUESTS, async () => {
      let lines = 0;
      let after: string | null = null;
      do {
        const { job }: JobLogAnswer = await client.data<JobLogAnswer>(JOB_LOG_QUERY, {
          id,
          first: LOG_PAGE,
          after,
        });
        lines += job.logs.edges.length;
        after = job.logs.pageInfo.hasNextPage ? job.logs.pageInfo.endCursor : null;
      } while (after);
      if (lines !== LOG_LINES) throw new Error(`job ${id} showed ${lines} log lines`);
    });

    const dataset = `${count.toLocaleString('en')} ended jobs (${logRows.toLocaleString('en')} log lines; written in ${fillSeconds.toFixed(1)} s, daemon listening ${bootSeconds.toFixed(1)} s after start, all kept)`;
    const listP95 = Math.max(percentile(listTimes, 95), worstFilter.p95);
    const logP95 = percentile(logTimes, 95);
    return [
      {
        name: 'History: filtered job list',
        figure: `jobs(first: 50, filter) over ${dataset}, ${FILTERS.length} filters in turn, ${REQUESTS_PER_FILTER} requests each: all ${summary(listTimes)}; p95 per filter: ${filterP95.map((f) => `${f.name} ${f.p95.toFixed(1)} ms${f.count < 50 ? ` (${f.count} jobs)` : ''}`).join(', ')}`,
        goal: `p95 ≤ ${GOAL_MS} ms, over all and for each filter`,
        holds: listP95 <= GOAL_MS,
      },
      {
        name: 'History: job with a long log',
        figure: `job(id) with all ${LOG_LINES} log lines (two pages of logs(first: ${LOG_PAGE}), the API's largest page; time of both requests) among ${count.toLocaleString('en')} jobs: ${summary(logTimes)}`,
        goal: `p95 ≤ ${GOAL_MS} ms`,
        holds: logP95 <= GOAL_MS,
      },
    ];
  } finally {
    await started?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  order: 70,
  id: 'history',
  describe:
    "A state database with 100,000 ended jobs (a year of history: 80% backups of six frequent backups with one restic step per repository, prunes, checks, unlocks, restores, and 52 runs of a weekly backup; 85% succeeded, failed, canceled, interrupted; four log lines each) written through the daemon's JobStore in one transaction, one backup job with 1,000 log lines; `jobs.history` set so that all are kept (checked after start). The built daemon is started on it; after its init jobs, `jobs(first: 50, filter)` with five filters in turn (one backup's failures, one backup's successful backups, a repository's checks, every interrupted job, the weekly backup's successes), 100 requests each, and 200 requests for the job with 1,000 log lines (two pages of 500, the largest page the API allows), each series after 10 untimed requests, sequential over HTTP on loopback; p95 of the wall time per request, over all and per filter.",
  run: historyBenchmark,
};
