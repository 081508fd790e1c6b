import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDaemon, type StartedDaemon } from '../test/e2e/support/daemon';
import { waitForJobs } from '../test/e2e/support/wait';
import type { Benchmark, BenchResult } from './bench-result';
import { bareRestic } from './support/bare-restic';
import { scaled, writeDataset } from './support/dataset';
import { mb, median, rssBytes, sinceSeconds } from './support/measure';

const FILES = 200_000;
/** bytes per file on average: tiny files, the listing is what is measured */
const FILE_BYTES = 32;
const FILES_PER_DIR = 100;
const RUNS = 5;
const PAGE = 100;
const PASSWORD = 'bench-browse-password';
const RESTIC = process.env.RESTIC_BIN || 'restic';
const RATIO_GOAL = 1.2;
const SECOND_FOLDER_GOAL_MS = 50;
const RSS_GOAL_MB = 250;
const RSS_SAMPLE_MS = 20;

const FILES_QUERY = `query($repository: String!, $snapshotId: String!, $path: String, $first: Int) {
  snapshotFiles(repository: $repository, snapshotId: $snapshotId, path: $path, first: $first) {
    path totalCount edges { cursor node { name path type size mtime mode } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const run = promisify(execFile);

interface FilesAnswer {
  snapshotFiles: { totalCount: number; edges: unknown[] };
}

/** Wall time of one restic command, in ms; its output is read and dropped. */
async function timeRestic(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  await run(RESTIC, args, { env: { ...process.env, ...env }, maxBuffer: 1024 ** 3 });
  return sinceSeconds(started) * 1000;
}

/** Samples a process's RSS every RSS_SAMPLE_MS until stopped; returns the peak, in bytes. */
function sampleRss(pid: number): () => number {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process is gone; the peak so far stands
    }
  }, RSS_SAMPLE_MS);
  return () => {
    clearInterval(timer);
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // as above
    }
    return peak;
  };
}

async function browsingBenchmark(): Promise<BenchResult[]> {
  const files = scaled(FILES, 1_000);
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-browse-'));
  let started: StartedDaemon | undefined;
  try {
    const data = writeDataset(join(root, 'data'), {
      files,
      bytes: files * FILE_BYTES,
      filesPerDir: FILES_PER_DIR,
    });
    const dataDir = join(root, 'state');
    const repo = join(root, 'repo');
    mkdirSync(dataDir);
    // the daemon's restic cache folder (dataDir/cache), so that the bare restic runs below
    // work with the same warm cache as the daemon's
    const env = {
      RESTIC_REPOSITORY: repo,
      RESTIC_PASSWORD: PASSWORD,
      RESTIC_CACHE_DIR: join(dataDir, 'cache'),
    };
    const restic = bareRestic(RESTIC, env);
    restic('init');
    restic('backup', '--host', 'bench', '--tag', 'backup=browse', data.root);
    const snapshots = JSON.parse(restic('snapshots', '--json')) as { id: string }[];
    const snapshotId = snapshots[0].id;
    const firstFolder = data.root;
    const folders = restic('ls', snapshotId, join(data.root, 'd00'))
      .split('\n')
      .filter((line) => line.startsWith(join(data.root, 'd00') + '/'));
    if (folders.length < RUNS) throw new Error(`only ${folders.length} subfolders in d00`);

    // bare restic: one `restic ls <snapshot> <folder>` per folder, as other tools do; the first,
    // untimed, warms restic's cache like the daemon's first run
    await timeRestic(['ls', snapshotId, firstFolder], env);
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++)
      bare.push(await timeRestic(['ls', snapshotId, firstFolder], env));
    const bareSecond: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bareSecond.push(await timeRestic(['ls', snapshotId, folders[i]], env));
    }
    // what the daemon runs on the first request: the whole snapshot, as JSON
    const whole: number[] = [];
    for (let i = 0; i < RUNS; i++) whole.push(await timeRestic(['ls', '--json', snapshotId], env));

    const config = { dataDir, repositories: { local: { location: repo, password: PASSWORD } } };
    const firstPage: number[] = [];
    const secondFolder: number[] = [];
    const peaks: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // a new daemon each run: its listing cache (memory) is empty, restic's cache (disk) is warm
      started = await startDaemon(root, config, { entry: 'dist' });
      const { client, daemon } = started;
      await waitForJobs(client, 'INIT', i + 1, 120_000);
      idle.push(rssBytes(daemon.pid));
      const stopSampling = sampleRss(daemon.pid);
      const t0 = process.hrtime.bigint();
      const first = await client.data<FilesAnswer>(FILES_QUERY, {
        repository: 'local',
        snapshotId,
        path: firstFolder,
        first: PAGE,
      });
      firstPage.push(sinceSeconds(t0) * 1000);
      peaks.push(stopSampling());
      if (first.snapshotFiles.edges.length === 0) throw new Error('empty first page');

      const t1 = process.hrtime.bigint();
      const second = await client.data<FilesAnswer>(FILES_QUERY, {
        repository: 'local',
        snapshotId,
        path: folders[i],
        first: PAGE,
      });
      secondFolder.push(sinceSeconds(t1) * 1000);
      if (second.snapshotFiles.totalCount !== FILES_PER_DIR) {
        throw new Error(`${folders[i]} lists ${second.snapshotFiles.totalCount} entries`);
      }
      await started.stop();
      started = undefined;
    }

    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    const ratio = median(firstPage) / median(bare);
    const peak = Math.max(...peaks);
    const dataset = `a ${files.toLocaleString('en')}-file snapshot (${Math.ceil(files / FILES_PER_DIR)} folders of ${FILES_PER_DIR} files under ${Math.ceil(files / FILES_PER_DIR / 100)} top folders)`;
    return [
      {
        name: 'Browsing: first page',
        figure: `${dataset}, first page (${PAGE}) of the backed-up folder through snapshotFiles, new daemon each run: median ${median(firstPage).toFixed(0)} ms (${list(firstPage)}); one bare \`restic ls <snapshot> <folder>\`: median ${median(bare).toFixed(0)} ms (${list(bare)}); ratio ${ratio.toFixed(2)}. The whole \`restic ls --json <snapshot>\` the daemon runs: median ${median(whole).toFixed(0)} ms`,
        goal: `≤ ${RATIO_GOAL} × one restic ls`,
        holds: ratio <= RATIO_GOAL,
      },
      {
        name: 'Browsing: second folder',
        figure: `another folder (${FILES_PER_DIR} entries) of the same snapshot right after: median ${median(secondFolder).toFixed(1)} ms (${secondFolder.map((x) => x.toFixed(1)).join(', ')}); a bare restic ls of it: median ${median(bareSecond).toFixed(0)} ms`,
        goal: `≤ ${SECOND_FOLDER_GOAL_MS} ms`,
        holds: median(secondFolder) <= SECOND_FOLDER_GOAL_MS,
      },
      {
        name: 'Browsing: daemon memory',
        figure: `daemon RSS peak while listing (VmRSS every ${RSS_SAMPLE_MS} ms): ${mb(peak)} MB, runs ${peaks.map(mb).join(', ')} (idle before: median ${mb(median(idle))} MB; restic's own memory not counted)`,
        goal: `≤ ${RSS_GOAL_MB} MB`,
        holds: peak <= RSS_GOAL_MB * 2 ** 20,
      },
    ];
  } finally {
    await started?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  order: 40,
  id: 'browse',
  describe:
    "A snapshot of 200,000 tiny files (32 bytes on average, seeded data) in 2,000 folders of 100 files under 20 top folders, made with restic directly into a local repository. Five runs; each starts a new built daemon on it (so that its in-memory listing cache is empty; restic's on-disk cache under dataDir is warm, as for the bare restic runs, which use the same cache folder), waits for its init job, and asks `snapshotFiles(first: 100)` for the backed-up folder (timed over HTTP, daemon VmRSS sampled every 20 ms meanwhile), then for one of its leaf folders. Compared with five bare `restic ls <snapshot> <folder>` (plain output, after one untimed run), what other tools do for each folder; also timed: the whole `restic ls --json <snapshot>` the daemon runs on the first request.",
  run: browsingBenchmark,
};
