import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from '../test/e2e/support/daemon';
import { waitForJobs } from '../test/e2e/support/wait';
import type { Benchmark, BenchResult } from './bench-result';
import { scaled, writeDataset } from './support/dataset';
import { median, note, sinceSeconds, sleep } from './support/measure';
import { bareResticEnv, resticRun } from './support/restic-run';

const FILES = 20_000;
const BYTES = 200_000_000;
const PAIRS = 10;
const GOAL = 1.05;
const PASSWORD = 'bench-password';
const HOST = 'bench';

/**
 * The same dataset backed up by bare `restic backup` and through the daemon (`runBackup` until the
 * job is SUCCEEDED), alternating, each run into a new empty repository so that every run does
 * the same work (nothing deduplicated against an earlier run). The daemon has one backup
 * definition per run (`b<i>` → repository `r<i>`), all initialised at startup; bare restic gets
 * repositories initialised the same way beforehand, outside the timing. Bare restic runs with the
 * arguments and environment the daemon gives it (`--json backup --host --tag=backup=<name>`, a
 * cache and TMPDIR under a data folder, RESTIC_PROGRESS_FPS=4), its output read line by line.
 * Pairs alternate which side goes first; one untimed bare run warms the page cache; `sync` runs
 * between runs so that one run's write-back does not land in the next.
 */
async function overheadBenchmark(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-overhead-'));
  let started: StartedDaemon | undefined;
  try {
    const files = scaled(FILES);
    const bytes = scaled(BYTES, files);
    const data = join(root, 'data');
    writeDataset(data, { files, bytes });
    const bareState = join(root, 'bare-state');

    const repositories: Record<string, unknown> = {};
    const backups: Record<string, unknown> = {};
    for (let i = 0; i < PAIRS; i++) {
      repositories[`r${i}`] = { location: join(root, 'daemon-repos', `r${i}`), password: PASSWORD };
      backups[`b${i}`] = { paths: [data], repositories: [`r${i}`] };
    }
    started = await startDaemon(
      root,
      { hostname: HOST, repositories, backups, log: { level: 'info' } },
      { entry: 'dist' },
    );
    const { client } = started;
    note('overhead: daemon started');
    await waitForJobs(client, 'INIT', PAIRS, 120_000);
    note('overhead: repositories initialised');

    const lookupTimes: number[] = [];
    const bare = async (name: string, timed: boolean): Promise<number> => {
      const location = join(root, 'bare-repos', name);
      const env = bareResticEnv(bareState, location, PASSWORD);
      note(`overhead: bare ${name} init`);
      await resticRun(['init'], env);
      const start = process.hrtime.bigint();
      const output = await resticRun(
        ['--json', 'backup', `--host=${HOST}`, `--tag=backup=${name}`, '--', data],
        env,
      );
      const seconds = sinceSeconds(start);
      // Not part of the figure: what the lookup the daemon makes after each backup costs on its
      // own (restic 0.14 names the new snapshot by its short id only; see the report).
      const summary = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
        snapshot_id?: string;
      };
      const lookupStart = process.hrtime.bigint();
      await resticRun(['snapshots', '--json', summary.snapshot_id ?? 'latest'], env);
      if (timed) lookupTimes.push(sinceSeconds(lookupStart));
      note(`overhead: bare ${name} ${seconds.toFixed(2)} s`);
      await settle(location);
      return timed ? seconds : NaN;
    };

    const daemon = async (i: number): Promise<number> => {
      const subscription = await client.subscribe(
        `subscription($f: JobFilterInput) { jobUpdated(filter: $f) { id state } }`,
        { f: { backup: `b${i}` } },
      );
      try {
        const start = process.hrtime.bigint();
        const { runBackup } = await client.data<{ runBackup: { id: string } }>(
          `mutation($n: String!) { runBackup(name: $n) { id } }`,
          { n: `b${i}` },
        );
        const id = runBackup.id;
        // read the events the socket already delivered, without asking the daemon anything
        const deadline = Date.now() + 600_000;
        for (;;) {
          const end = (subscription.events as { jobUpdated: { id: string; state: string } }[])
            .map((e) => e.jobUpdated)
            .find((j) => j.id === id && !['QUEUED', 'RUNNING'].includes(j.state));
          if (end) {
            if (end.state !== 'SUCCEEDED') throw new Error(`backup b${i} ended ${end.state}`);
            break;
          }
          if (subscription.errors.length > 0 || Date.now() > deadline) {
            throw new Error(`no end of backup b${i}: ${JSON.stringify(subscription.errors)}`);
          }
          await sleep(2);
        }
        const seconds = sinceSeconds(start);
        note(`overhead: daemon b${i} ${seconds.toFixed(2)} s`);
        await settle(join(root, 'daemon-repos', `r${i}`));
        return seconds;
      } finally {
        subscription.close();
      }
    };

    await bare('warm-up', false);
    const bareTimes: number[] = [];
    const daemonTimes: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        daemonTimes.push(await daemon(i));
        bareTimes.push(await bare(`bare-${i}`, true));
      } else {
        bareTimes.push(await bare(`bare-${i}`, true));
        daemonTimes.push(await daemon(i));
      }
    }
    const bareMedian = median(bareTimes);
    const daemonMedian = median(daemonTimes);
    const ratio = daemonMedian / bareMedian;
    const pairRatios = daemonTimes.map((d, i) => d / bareTimes[i]);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
    const size = `${files} files, ${(bytes / 1e6).toFixed(0)} MB`;
    const lookup = median(lookupTimes);
    return [
      {
        name: 'Backup overhead',
        figure:
          `${size}: daemon/bare ${ratio.toFixed(3)} (median daemon ${daemonMedian.toFixed(2)} s ` +
          `of ${list(daemonTimes)}; median bare restic ${bareMedian.toFixed(2)} s of ` +
          `${list(bareTimes)}; per-pair ratios ${list(pairRatios)}; for comparison, a bare ` +
          `\`restic snapshots --json <short id>\` takes median ${lookup.toFixed(2)} s)`,
        goal: `≤ ${GOAL.toFixed(2)}`,
        holds: ratio <= GOAL,
      },
    ];
  } finally {
    await started?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Flushes the run's writes to disk and drops its repository, outside the timing. */
async function settle(repository: string): Promise<void> {
  const sync = spawn('sync', [], { stdio: 'ignore' });
  await once(sync, 'close');
  rmSync(repository, { recursive: true, force: true });
}

export const benchmark: Benchmark = {
  order: 20,
  id: 'overhead',
  describe:
    'A seeded dataset of 20,000 files of varied sizes (about 200 MB of incompressible bytes, nested folders) backed up by bare `restic backup` (the arguments and environment the daemon uses) and through the daemon (`runBackup` over GraphQL until the job is SUCCEEDED, timed from the mutation to the jobUpdated event), alternating for ten pairs, each run into a new empty local repository; the figure is the ratio of the median wall times.',
  run: overheadBenchmark,
};
