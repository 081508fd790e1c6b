import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Daemon } from '../test/e2e/support/daemon';
import { freePort } from '../test/support/servers/server-process';
import { GraphQLTestClient } from '../test/e2e/support/graphql-client';
import { waitForJobs } from '../test/e2e/support/wait';
import type { Benchmark, BenchResult } from './bench-result';
import { scaled, writeDataset } from './support/dataset';
import { cpuSeconds, mb, median, note, rssBytes, sinceSeconds, sleep } from './support/measure';

const DEFINITIONS = 20;
const TREE_FILES = 100_000;
const TREE_BYTES = 50_000_000;
const STARTS = 3;
const READY_GOAL_S = 3;
const RSS_GOAL_MB = 150;
const RSS_WATCH_GOAL_MB = 300;
/** after start-up work (init, watcher scans) ends, before the idle window opens */
const SETTLE_MS = 10_000;
const SAMPLE_MS = 1_000;

/**
 * The cost of a daemon that waits: 20 backup definitions over a tree of 100,000 files in 20
 * folders of 5,000 (definition i backs up folder i, as someone with 20 projects would configure
 * it), one local repository, no schedules. Start-up is timed from spawning `node dist/main.js` to
 * the first 200 from /health/ready, three starts on the same data folder (the first one creates
 * it), median. RSS is sampled every second over the idle window (after the init job and, with
 * watchers, every initial scan ended, plus 10 s); the figure is the median, the peak beside it.
 * The start-up peak (RSS every 200 ms from the spawn to the window) is reported on its own: the
 * initial scans leave a few hundred MB of garbage that V8 only collects some seconds later. CPU is utime + stime of
 * the daemon (and of any child it waited for) over the idle window with watchers.
 */
async function idleBenchmark(): Promise<BenchResult[]> {
  const idleSeconds = Number(process.env.HEN_BENCH_IDLE_SECONDS ?? '300');
  if (!Number.isFinite(idleSeconds) || idleSeconds <= 0) {
    throw new Error('HEN_BENCH_IDLE_SECONDS must be > 0');
  }
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-idle-'));
  const running: Daemon[] = [];
  try {
    const files = scaled(TREE_FILES, DEFINITIONS);
    const tree = join(root, 'tree');
    // 100 files per folder, 50 folders per top folder: 20 top folders of 5,000 files at full size
    const perTop = Math.ceil(files / DEFINITIONS);
    writeDataset(tree, {
      files,
      bytes: scaled(TREE_BYTES, files),
      filesPerDir: Math.min(100, perTop),
      dirsPerLevel: Math.max(1, Math.ceil(perTop / 100)),
    });
    const folders = Array.from({ length: DEFINITIONS }, (_, i) =>
      join(tree, `d${String(i).padStart(2, '0')}`),
    );

    const configFor = (name: string, watch: boolean, port: number) => {
      const backups: Record<string, unknown> = {};
      folders.forEach((folder, i) => {
        backups[`project-${i}`] = {
          paths: [folder],
          repositories: ['local'],
          ...(watch ? { watch: { wait: { min: '30s', max: '10m' } } } : {}),
        };
      });
      const path = join(root, `${name}.yaml`);
      writeFileSync(
        path,
        stringify({
          hostname: 'bench',
          dataDir: join(root, `state-${name}`),
          api: { host: '127.0.0.1', port },
          log: { level: 'info' },
          repositories: { local: { location: join(root, 'repo'), password: 'bench-password' } },
          backups,
        }),
      );
      return path;
    };

    /** spawn → first 200 from /health/ready; returns the running daemon and the seconds */
    const start = async (name: string, watch: boolean) => {
      const port = await freePort();
      const configPath = configFor(name, watch, port);
      const begin = process.hrtime.bigint();
      const daemon = Daemon.spawn(['--config', configPath], {}, 'dist');
      running.push(daemon);
      // RSS from the spawn on, one sample every 200 ms, for the peak of start-up
      const startupRss: number[] = [];
      const sampler = setInterval(() => {
        try {
          startupRss.push(rssBytes(daemon.pid));
        } catch {
          // not started yet, or gone
        }
      }, 200);
      let exited = false;
      void daemon.exited.then(() => (exited = true));
      for (;;) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
          if (response.status === 200) break;
        } catch {
          // not listening yet
        }
        if (exited || sinceSeconds(begin) > 60) {
          throw new Error(
            `daemon not ready: ${[...daemon.stdout, ...daemon.stderr].slice(-20).join('\n')}`,
          );
        }
        await sleep(10);
      }
      const ready = sinceSeconds(begin);
      let scanned = NaN;
      if (watch) {
        for (;;) {
          const count = daemon.stdout.filter((l) => l.includes('"watching ')).length;
          if (count >= DEFINITIONS) break;
          if (exited || sinceSeconds(begin) > 600) throw new Error('watchers never got ready');
          await sleep(20);
        }
        scanned = sinceSeconds(begin);
      }
      const client = new GraphQLTestClient(port);
      await waitForJobs(client, 'INIT', 1, 60_000);
      note(
        `idle: ${name} ready after ${ready.toFixed(2)} s, scanned after ${scanned.toFixed(2)} s`,
      );
      return {
        daemon,
        ready,
        scanned,
        client,
        startupRss,
        stopSampler: () => clearInterval(sampler),
      };
    };

    const stop = async (daemon: Daemon, client: GraphQLTestClient) => {
      await client.close();
      await daemon.stop();
      running.splice(running.indexOf(daemon), 1);
    };

    /** RSS every second over the window, and the CPU time used in it */
    const idle = async (
      daemon: Daemon,
      seconds: number,
      startupRss: number[],
      stopSampler: () => void,
    ) => {
      await sleep(SETTLE_MS);
      // the start-up peak: from the spawn to the opening of the idle window
      const startupPeak = Math.max(...startupRss);
      const cpuBefore = cpuSeconds(daemon.pid, { children: true });
      const samples: number[] = [];
      const begin = process.hrtime.bigint();
      while (sinceSeconds(begin) < seconds) {
        samples.push(rssBytes(daemon.pid));
        await sleep(SAMPLE_MS);
      }
      samples.push(rssBytes(daemon.pid));
      const cpu = cpuSeconds(daemon.pid, { children: true }) - cpuBefore;
      stopSampler();
      note(
        `idle: window of ${sinceSeconds(begin).toFixed(0)} s: ${mb(Math.max(...samples))} MB peak`,
      );
      return {
        startupPeak,
        peak: Math.max(...samples),
        median: median(samples),
        cpu,
        window: sinceSeconds(begin),
      };
    };

    const results: BenchResult[] = [];

    // (a) start to ready without watchers, (b) RSS idle without watchers
    const readyTimes: number[] = [];
    let plainIdle: Awaited<ReturnType<typeof idle>> | undefined;
    for (let i = 0; i < STARTS; i++) {
      const { daemon, ready, client, startupRss, stopSampler } = await start('plain', false);
      readyTimes.push(ready);
      if (i === STARTS - 1) {
        plainIdle = await idle(daemon, Math.min(60, idleSeconds), startupRss, stopSampler);
      }
      stopSampler();
      await stop(daemon, client);
    }
    const readyMedian = median(readyTimes);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
    results.push({
      name: 'Idle: start to ready',
      figure: `${DEFINITIONS} definitions, no watchers: median ${readyMedian.toFixed(2)} s of ${list(readyTimes)} (spawn to /health/ready 200)`,
      goal: `≤ ${READY_GOAL_S} s`,
      holds: readyMedian <= READY_GOAL_S,
    });
    results.push({
      name: 'Idle: RSS without watchers',
      figure: `median ${mb(plainIdle!.median)} MB over ${plainIdle!.window.toFixed(0)} s idle (peak ${mb(plainIdle!.peak)} MB in the window, ${mb(plainIdle!.startupPeak)} MB from the spawn to the window)`,
      goal: `≤ ${RSS_GOAL_MB} MB`,
      holds: plainIdle!.median <= RSS_GOAL_MB * 2 ** 20,
    });

    // (c) RSS idle with 20 watchers, (d) CPU over the idle window, and ready times with watchers
    const watchReady: number[] = [];
    const watchScanned: number[] = [];
    let watchIdle: Awaited<ReturnType<typeof idle>> | undefined;
    for (let i = 0; i < STARTS; i++) {
      const { daemon, ready, scanned, client, startupRss, stopSampler } = await start(
        'watch',
        true,
      );
      watchReady.push(ready);
      watchScanned.push(scanned);
      if (i === STARTS - 1) watchIdle = await idle(daemon, idleSeconds, startupRss, stopSampler);
      stopSampler();
      await stop(daemon, client);
    }
    const treeText = `${files} files, ${DEFINITIONS} definitions each watching ${Math.ceil(files / DEFINITIONS)}`;
    results.push({
      name: 'Idle: start to ready with watchers',
      figure: `${treeText}: median ${median(watchReady).toFixed(2)} s of ${list(watchReady)}; every initial scan done after median ${median(watchScanned).toFixed(2)} s of ${list(watchScanned)}`,
      goal: `≤ ${READY_GOAL_S} s`,
      holds: median(watchReady) <= READY_GOAL_S,
    });
    results.push({
      name: 'Idle: RSS with watchers',
      figure: `${treeText}: median ${mb(watchIdle!.median)} MB over ${watchIdle!.window.toFixed(0)} s idle (peak ${mb(watchIdle!.peak)} MB in the window)`,
      goal: `≤ ${RSS_WATCH_GOAL_MB} MB`,
      holds: watchIdle!.median <= RSS_WATCH_GOAL_MB * 2 ** 20,
    });
    results.push({
      name: 'Start-up RSS peak with watchers',
      figure: `${treeText}: ${mb(watchIdle!.startupPeak)} MB at most from the spawn to the idle window (the initial scans' garbage, until V8 collects it)`,
      goal: `no goal, reported (the idle goal is ${RSS_WATCH_GOAL_MB} MB)`,
      holds: true,
    });
    const cpuPercent = (100 * watchIdle!.cpu) / watchIdle!.window;
    results.push({
      name: 'Idle: CPU with watchers',
      figure: `${watchIdle!.cpu.toFixed(2)} s CPU in ${watchIdle!.window.toFixed(0)} s idle (${cpuPercent.toFixed(2)}% of one core)`,
      goal: 'no goal, reported',
      holds: true,
    });
    return results;
  } finally {
    await Promise.all(running.map((daemon) => daemon.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  order: 30,
  id: 'idle',
  describe:
    'The built daemon with 20 backup definitions and one local repository, no schedules: start to ready (spawn to the first 200 from /health/ready, median of three starts on one data folder), then RSS (median of one sample a second, peak beside it; the start-up peak separately) and CPU time (utime + stime) over an idle window of 5 minutes (1 minute without watchers) that opens 10 s after the init job and every initial scan ended; without watchers, then with each definition watching its own folder of 5,000 files (`watch.wait: 30s..10m`) in a seeded tree of 100,000 files (20 folders × 50 subfolders × 100 files, 50 MB).',
  run: idleBenchmark,
};
