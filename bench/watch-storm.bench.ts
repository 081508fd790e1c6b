import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from '../test/e2e/support/daemon';
import { listJobs, waitForEnd, waitForJobs } from '../test/e2e/support/wait';
import type { Benchmark, BenchResult } from './bench-result';
import { scaled, writeDataset } from './support/dataset';
import { note, sinceSeconds, sleep } from './support/measure';

const CHANGES = 10_000;
const STORM_MS = 2_000;
const BATCHES = 100;
const MIN_WAIT_S = 2;
const MAX_WAIT = '1m';
/** how long to keep watching for a second job after the first one ended */
const AFTERMATH_MS = 15_000;

interface JobEvent {
  jobUpdated: { id: string; state: string; queuedAt: string; trigger: string };
}

/**
 * One backup definition watching a folder of 10,000 files (`watch.wait: { min: 2s, max: 1m }`).
 * Once its initial scan is done, every file is rewritten once, in 100 even batches over 2 s (the first at 0 s, the last at 2 s).
 * The figure is the number of backup jobs the storm caused, counted once the first one ended
 * and 15 s more passed (late notifications would make a second one), and the time from the last
 * write to the job's `queuedAt`.
 */
async function watchStormBenchmark(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-storm-'));
  let started: StartedDaemon | undefined;
  try {
    const changes = scaled(CHANGES, BATCHES);
    const watched = join(root, 'watched');
    const { paths } = writeDataset(watched, { files: changes, bytes: changes * 64 });
    started = await startDaemon(
      root,
      {
        hostname: 'bench',
        log: { level: 'info' },
        repositories: { local: { location: join(root, 'repo'), password: 'bench-password' } },
        backups: {
          storm: {
            paths: [watched],
            repositories: ['local'],
            watch: { wait: { min: `${MIN_WAIT_S}s`, max: MAX_WAIT } },
          },
        },
      },
      { entry: 'dist' },
    );
    const { client, daemon } = started;
    await waitForJobs(client, 'INIT', 1, 60_000);
    await daemon.waitForLog(/"watching 1 path\(s\) of backup \\"storm\\""/, 120_000);
    note('watch-storm: watcher ready');
    const subscription = await client.subscribe<JobEvent>(
      `subscription { jobUpdated(filter: { operations: [BACKUP] }) { id state queuedAt trigger } }`,
    );
    await sleep(1_000);

    const stormStart = process.hrtime.bigint();
    const perBatch = Math.ceil(changes / BATCHES);
    let lastWrite = 0;
    for (let b = 0; b < BATCHES; b++) {
      for (const path of paths.slice(b * perBatch, (b + 1) * perBatch)) {
        writeFileSync(path, `changed in batch ${b}\n`);
      }
      lastWrite = Date.now();
      if (b === BATCHES - 1) break;
      const due = ((b + 1) * STORM_MS) / (BATCHES - 1);
      const late = due - sinceSeconds(stormStart) * 1000;
      if (late > 0) await sleep(late);
    }
    const stormSeconds = sinceSeconds(stormStart);
    note(`watch-storm: ${changes} writes in ${stormSeconds.toFixed(2)} s`);

    await subscription.until((events) => events.length > 0, 120_000);
    const seenAfter = (Date.now() - lastWrite) / 1000;
    const first = subscription.events[0].jobUpdated;
    await waitForEnd(client, first.id, 600_000);
    await sleep(AFTERMATH_MS);
    subscription.close();
    const jobs = await listJobs(client, ['BACKUP']);
    const queuedAfter = (Date.parse(first.queuedAt) - lastWrite) / 1000;
    const burstLines = daemon.stdout.filter((line) => line.includes('asking for a backup'));
    const notifications = burstLines
      .map((line) => (JSON.parse(line) as { changes?: number }).changes ?? 0)
      .join(' + ');
    return [
      {
        name: 'Watch storm',
        figure:
          `${changes} file writes over ${stormSeconds.toFixed(2)} s: ${jobs.length} backup job(s) ` +
          `(trigger ${[...new Set(jobs.map((j: { trigger: string }) => j.trigger))].join(', ')}; ` +
          `burst(s) of ${notifications || 0} notifications); queued ${queuedAfter.toFixed(2)} s ` +
          `after the last write (min wait ${MIN_WAIT_S} s; seen over the API after ${seenAfter.toFixed(2)} s)`,
        goal: 'exactly 1 job',
        holds: jobs.length === 1,
      },
    ];
  } finally {
    await started?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  order: 60,
  id: 'watch-storm',
  describe:
    'One backup definition watching a seeded folder of 10,000 small files (`watch.wait: { min: 2s, max: 1m }`); after the initial scan every file is rewritten once, in 100 even batches over 2 s (the first at 0 s, the last at 2 s). Counts the backup jobs once the first ended plus 15 s, and times the last write to the job’s `queuedAt`.',
  run: watchStormBenchmark,
};
