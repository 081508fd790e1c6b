import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from '../test/e2e/support/daemon';
import { waitFor } from '../test/support/wait-for';
import type { Benchmark, BenchResult } from './bench-result';
import { bareRestic } from './support/bare-restic';
import { datasetPath, writeDataset } from './support/dataset';
import { mb, median, percentile, rssBytes, sinceSeconds, sleep } from './support/measure';

/**
 * Files in the snapshot: HEN_INDEX_BENCH_FILES (default 200,000; the issue asks for 1M and 2M
 * too, which take far longer than a shared two-core machine should give at once).
 */
const FILES = Number(process.env.HEN_INDEX_BENCH_FILES ?? 200_000);
const SNAPSHOTS = Number(process.env.HEN_INDEX_BENCH_SNAPSHOTS ?? 10);
const FILES_PER_DIR = 100;
const FILE_BYTES = 32;
const PASSWORD = 'bench-index-password';
const RESTIC = process.env.RESTIC_BIN || 'restic';
const FOLDER_SAMPLES = 40;
const SEARCHES = 20;
const RSS_SAMPLE_MS = 20;
/**
 * HEN_INDEX_BENCH_CACHE: a folder where the seeded tree and its repository are kept between runs
 * (one per size and snapshot count). Making them is most of a large run (a 2M-file tree backed up
 * ten times) and times nothing, so it can be done once, even on a busy machine.
 */
const CACHE = process.env.HEN_INDEX_BENCH_CACHE;
const LEAVES = Math.ceil(FILES / FILES_PER_DIR);

/**
 * The seeded tree and a local repository with SNAPSHOTS daily snapshots of it: day one, then days
 * where 1% of the leaf folders change (one file rewritten in each). Kept in the cache when one is
 * set; a snapshot a run added behind the daemon's back is forgotten before the next run.
 */
export function prepareRepository(root: string): { data: { root: string }; repo: string } {
  const home = CACHE ? join(CACHE, `index-${FILES}-${SNAPSHOTS}`) : join(root, 'prepared');
  const data = { root: join(home, 'data') };
  const repo = join(home, 'repo');
  const restic = bareRestic(RESTIC, { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD });
  if (existsSync(join(home, 'ready'))) {
    const kept = (JSON.parse(restic('snapshots', '--json')) as { id: string; time: string }[])
      .sort((a, b) => a.time.localeCompare(b.time))
      .map((s) => s.id);
    if (kept.length > SNAPSHOTS) restic('forget', ...kept.slice(SNAPSHOTS));
    writeFileSync(join(data.root, datasetPath(0, FILES_PER_DIR)), 'day 0');
    return { data, repo };
  }
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  writeDataset(data.root, { files: FILES, bytes: FILES * FILE_BYTES, filesPerDir: FILES_PER_DIR });
  writeFileSync(join(data.root, datasetPath(0, FILES_PER_DIR)), 'day 0');
  restic('init');
  for (let day = 0; day < SNAPSHOTS; day++) {
    if (day > 0) {
      for (let leaf = day; leaf < LEAVES; leaf += 100) {
        const index = leaf * FILES_PER_DIR;
        if (index < FILES)
          writeFileSync(join(data.root, datasetPath(index, FILES_PER_DIR)), `day ${day}`);
      }
    }
    restic('backup', '--host', 'bench', '--tag', 'backup=bench', data.root);
  }
  writeFileSync(join(home, 'ready.tmp'), new Date().toISOString());
  renameSync(join(home, 'ready.tmp'), join(home, 'ready'));
  return { data, repo };
}

const FILES_QUERY = `query($s: String!, $p: String) { snapshot(repository: "local", snapshot: $s) {
  files(path: $p, first: 100) { totalCount nodes { name size totalSize } } } }`;
const SEARCH_QUERY = `query($n: String!) { searchSnapshots(repository: "local", name: $n, first: 50) {
  nodes { path versions { snapshotId size } } } }`;

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const result = await work();
  return [sinceSeconds(started) * 1000, result];
}

async function snapshotIndexBenchmark(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-index-'));
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
  let started: StartedDaemon | undefined;
  try {
    const { data, repo } = prepareRepository(root);
    const dataDir = join(root, 'state');
    mkdirSync(dataDir);
    const env = {
      RESTIC_REPOSITORY: repo,
      RESTIC_PASSWORD: PASSWORD,
      RESTIC_CACHE_DIR: join(dataDir, 'cache'),
    };
    const restic = bareRestic(RESTIC, env);
    const timeRestic = async (...args: string[]) =>
      (
        await timed(
          () =>
            new Promise<void>((resolve, reject) => {
              // read from a pipe, as any consumer does (the daemon too), and dropped: a 2M-entry
              // listing is about 600 MB of JSON. restic writes a line at a time, so a pipe costs
              // it more than /dev/null would (about 5.0 s against 3.5 s for 200,000 entries).
              const child = spawn(RESTIC, args, {
                env: { ...process.env, ...env },
                stdio: ['ignore', 'pipe', 'ignore'],
              });
              child.stdout.resume();
              child
                .on('error', reject)
                .on('close', (code) =>
                  code === 0 ? resolve() : reject(new Error(`restic ${args[0]}: exit ${code}`)),
                );
            }),
        )
      )[0];
    const snapshots = (JSON.parse(restic('snapshots', '--json')) as { id: string; time: string }[])
      .sort((a, b) => a.time.localeCompare(b.time))
      .map((s) => s.id);
    const newest = snapshots.at(-1)!;
    const folders = Array.from({ length: FOLDER_SAMPLES }, (_, i) =>
      join(data.root, datasetPath(Math.floor((i * FILES) / FOLDER_SAMPLES), FILES_PER_DIR), '..'),
    );

    // bare restic, same cache: one untimed run first
    await timeRestic('ls', newest, data.root);
    const bareFolder: number[] = [];
    for (let i = 0; i < 3; i++) bareFolder.push(await timeRestic('ls', newest, folders[i]));
    const bareWhole: number[] = [];
    for (let i = 0; i < 3; i++) bareWhole.push(await timeRestic('ls', '--json', newest));
    const names = Array.from(
      { length: SEARCHES },
      (_, i) => `f${Math.floor((i * FILES) / SEARCHES) + 7}.bin`,
    );
    const bareFind: number[] = [];
    // one run at a million files and more: it walks every tree of every snapshot
    for (let i = 0; i < (FILES >= 1_000_000 ? 1 : 2); i++)
      bareFind.push(await timeRestic('find', names[i]));

    // the daemon indexes every snapshot on its own (the startup index job)
    const config = { dataDir, repositories: { local: { location: repo, password: PASSWORD } } };
    started = await startDaemon(root, config, { entry: 'dist' });
    let client = started.client;
    const pid = started.daemon.pid;
    await sleep(1000);
    const idleBefore = rssBytes(pid);
    let peak = idleBefore;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssBytes(pid));
      } catch {
        // the daemon is gone; the peak so far stands
      }
    }, RSS_SAMPLE_MS);
    const states = async () =>
      (
        await client.data<{ snapshots: { nodes: { index: { state: string; bytes: number } }[] } }>(
          `{ snapshots(repository: "local", first: 500) { nodes { index { state bytes } } } }`,
        )
      ).snapshots.nodes;
    // asked of the index's own figures (SQLite), twice a second: the snapshot list would run
    // `restic snapshots` at each poll, beside the restic being measured
    const indexedCount = async () =>
      (
        await client.data<{ snapshotIndex: { indexedSnapshots: number } }>(
          `{ snapshotIndex { indexedSnapshots } }`,
        )
      ).snapshotIndex.indexedSnapshots;
    await waitFor(
      async () => (await indexedCount()) >= snapshots.length,
      'every snapshot indexed',
      3_600_000,
      500,
    );
    clearInterval(sampler);
    if (!(await states()).every((n) => n.index.state === 'INDEXED'))
      throw new Error('a snapshot is not indexed');
    await sleep(3000);
    const idleAfter = rssBytes(pid);
    const { jobs } = await client.data<{ jobs: { nodes: { id: string }[] } }>(
      `{ jobs(first: 5, filter: { operations: [INDEX] }) { nodes { id } } }`,
    );
    const indexLines: string[] = [];
    for (const job of jobs.nodes) {
      const { job: found } = await client.data<{ job: { logs: { nodes: { message: string }[] } } }>(
        `query($id: ID!) { job(id: $id) { logs(first: 500) { nodes { message } } } }`,
        { id: job.id },
      );
      indexLines.push(
        ...found.logs.nodes.map((n) => n.message).filter((m) => m.startsWith('indexed snapshot')),
      );
    }
    const indexMs = indexLines.map((line) => Number(/, (\d+) ms$/.exec(line)?.[1] ?? NaN));
    const { snapshotIndex } = await client.data<{ snapshotIndex: { bytes: number } }>(
      `{ snapshotIndex { bytes } }`,
    );
    const sizes = (await states()).map((n) => n.index.bytes);
    // the first snapshot indexed (the newest: the job goes newest first) paid for every folder
    const oneSnapshot = Math.max(...sizes);

    const browse = async () => {
      const [first] = await timed(() => client.data(FILES_QUERY, { s: newest, p: data.root }));
      const later: number[] = [];
      for (const folder of folders)
        later.push((await timed(() => client.data(FILES_QUERY, { s: newest, p: folder })))[0]);
      return { first, later };
    };
    const warm = await browse();
    const search: number[] = [];
    for (const name of names) {
      const [ms, answer] = await timed(() =>
        client.data<{ searchSnapshots: { nodes: unknown[] } }>(SEARCH_QUERY, { n: name }),
      );
      if (answer.searchSnapshots.nodes.length === 0) throw new Error(`nothing found for ${name}`);
      search.push(ms);
    }
    await started.stop();
    started = await startDaemon(root, config, { entry: 'dist' });
    client = started.client;
    const restarted = await browse();

    // a snapshot the daemon has not indexed: made by restic behind its back
    writeFileSync(join(data.root, datasetPath(0, FILES_PER_DIR)), 'unindexed');
    restic('backup', '--host', 'bench', '--tag', 'backup=bench', data.root);
    const unindexed = (
      JSON.parse(restic('snapshots', '--json', '--latest', '1')) as { id: string }[]
    )[0].id;
    await timeRestic('ls', unindexed, data.root);
    const bareUnindexed = await timeRestic('ls', unindexed, data.root);
    const [unindexedFirst] = await timed(() =>
      client.data(FILES_QUERY, { s: unindexed, p: data.root }),
    );

    const p95 = (xs: number[]) => percentile(xs, 95);
    const dataset = `${FILES.toLocaleString('en')} files (${LEAVES.toLocaleString('en')} folders of ${FILES_PER_DIR}), ${SNAPSHOTS} snapshots, 1% of the folders changed between two; load average at start ${load}`;
    const indexRatio = median(indexMs) / median(bareWhole);
    return [
      {
        name: 'Index: indexed folders',
        figure: `${dataset}. First folder of an indexed snapshot ${warm.first.toFixed(1)} ms, ${FOLDER_SAMPLES} later folders p95 ${p95(warm.later).toFixed(1)} ms; right after a restart: first ${restarted.first.toFixed(1)} ms, later p95 ${p95(restarted.later).toFixed(1)} ms; one bare \`restic ls <snapshot> <folder>\`: median ${median(bareFolder).toFixed(0)} ms (ratio of the restart's first folder to it ${(restarted.first / median(bareFolder)).toFixed(3)})`,
        goal: '≤ 50 ms p95, also after a restart',
        holds: Math.max(warm.first, restarted.first, p95(warm.later), p95(restarted.later)) <= 50,
      },
      {
        name: 'Index: unindexed first folder',
        figure: `first folder of a snapshot not indexed yet: ${unindexedFirst.toFixed(0)} ms; one bare \`restic ls\` of that folder ${bareUnindexed.toFixed(0)} ms; ratio ${(unindexedFirst / bareUnindexed).toFixed(2)}`,
        goal: '≤ 1.2 × one restic ls',
        holds: unindexedFirst / bareUnindexed <= 1.2,
      },
      {
        name: 'Index: indexing time',
        figure: `per snapshot (from the index job's log): median ${median(indexMs).toFixed(0)} ms (${indexMs.map((x) => x.toFixed(0)).join(', ')}); bare \`restic ls --json\` of one: median ${median(bareWhole).toFixed(0)} ms; ratio ${indexRatio.toFixed(2)}`,
        goal: '≤ 1.3 × restic ls --json',
        holds: indexRatio <= 1.3,
      },
      {
        name: 'Index: daemon memory while indexing',
        figure: `daemon RSS peak while indexing ${SNAPSHOTS} snapshots (VmRSS every ${RSS_SAMPLE_MS} ms): ${mb(peak)} MB; idle before ${mb(idleBefore)} MB, after ${mb(idleAfter)} MB; restic's own memory not counted`,
        goal: '≤ idle + 100 MB',
        holds: peak <= idleBefore + 100 * 2 ** 20,
      },
      {
        name: `Index: size for ${SNAPSHOTS} daily snapshots`,
        figure: `index file ${mb(snapshotIndex.bytes)} MB for ${SNAPSHOTS} snapshots; the first indexed alone added ${mb(oneSnapshot)} MB; ratio ${(snapshotIndex.bytes / oneSnapshot).toFixed(2)}`,
        goal: '≤ 2 × one snapshot',
        holds: snapshotIndex.bytes <= 2 * oneSnapshot,
      },
      {
        name: 'Index: name search',
        figure: `searchSnapshots(name) across ${SNAPSHOTS} snapshots, ${SEARCHES} names: p95 ${p95(search).toFixed(1)} ms (median ${median(search).toFixed(1)}); bare \`restic find <name>\` over the same snapshots: median ${median(bareFind).toFixed(0)} ms`,
        goal: '≤ 200 ms p95',
        holds: p95(search) <= 200,
      },
    ];
  } finally {
    await started?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  order: 45,
  id: 'snapshot-index',
  describe:
    'A seeded tree of HEN_INDEX_BENCH_FILES tiny files (default 200,000; 100 per folder) backed up by bare restic on ten "days", one file rewritten in 1% of the folders between two, into a local repository. Bare restic first (same cache folder): `restic ls <snapshot> <folder>`, `restic ls --json <snapshot>`, `restic find <name>` over all snapshots. Then the built daemon starts on the repository and its startup index job indexes every snapshot (newest first; per-snapshot times from the job log; daemon VmRSS sampled every 20 ms). Then the first folder and 40 later folders of the newest snapshot, 20 name searches across the ten snapshots, a restart and the same folders again, and the first folder of an eleventh snapshot made behind the daemon\'s back (not indexed).',
  run: snapshotIndexBenchmark,
};
