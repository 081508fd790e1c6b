import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSize } from '../src/config/size';
import { limitFlags } from '../src/restic/restic-command';
import { startDaemon, type StartedDaemon } from '../test/e2e/support/daemon';
import { waitForEnd, waitForJobs } from '../test/e2e/support/wait';
import { waitFor } from '../test/support/wait-for';
import type { Benchmark, BenchResult } from './bench-result';
import { startBareFanOutServer } from './support/bare-fan-out-server';
import { scaled, writeDataset } from './support/dataset';
import { cpuSeconds, mb, median, percentile, rssBytes, sleep } from './support/measure';
import { bareResticEnv, resticRun } from './support/restic-run';
import {
  type ReceivedVersion,
  type SubscriberProcesses,
  startSubscribers,
} from './support/subscriber-processes';

/** subscriber counts, one run each: the curve of issue 20 (HEN_BENCH_FAN_OUT=200,1000 to choose) */
const SUBSCRIBER_COUNTS = (process.env.HEN_BENCH_FAN_OUT ?? '200,1000,2000').split(',').map(Number);
/**
 * the processes the subscribers run in (support/subscriber-processes.ts says why not one):
 * as many as the machine's two cores (HEN_BENCH_FAN_OUT_PROCESSES to change)
 */
const SUBSCRIBER_PROCESSES = Number(process.env.HEN_BENCH_FAN_OUT_PROCESSES ?? 2);
/** RSS peak at the largest count: at most this much above the idle daemon */
const RSS_GOAL_BYTES = 100 * 1024 * 1024;
/** after the subscribers left, RSS at most this share above the idle figure counts as back */
const RSS_BACK_SHARE = 0.1;
/** how long the benchmark waits for it */
const RSS_BACK_WAIT_MS = 120_000;
const MiB = 1024 * 1024;
/** `limits.upload` of the repository; restic applies it to the local backend too */
const UPLOAD_LIMIT = '1M';
/** about ten seconds of upload under the limit */
const DATA_BYTES = 10 * MiB;
const DATA_FILES = 100;
const PASSWORD = 'bench-fan-out-password';
const DELAY_GOAL_MS = 100;
const PROGRESS_GAP_GOAL_MS = 1000;
/** events published closer than this to the one before are reported apart */
const BURST_MS = 50;

const SUBSCRIPTION = `subscription {
  jobUpdated { id operation state queuedAt updatedAt startedAt endedAt
    steps { name state startedAt endedAt }
    progress { percent filesDone bytesDone totalBytes secondsElapsed } }
}`;

interface JobEvent {
  id: string;
  operation: string;
  state: string;
  queuedAt: string;
  /** set by the daemon just before it stores and publishes this version of the job */
  updatedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  steps: { name: string; state: string; startedAt: string | null; endedAt: string | null }[];
  progress: { percent: number; bytesDone: number } | null;
}

type Received = ReceivedVersion<JobEvent>;

const subscribe = (url: string, count: number): Promise<SubscriberProcesses<JobEvent>> =>
  startSubscribers<JobEvent>(url, count, SUBSCRIBER_PROCESSES, SUBSCRIPTION);

/** What tells one published version of a job from another. */
const eventKey = (job: JobEvent) =>
  JSON.stringify([job.state, job.steps.map((s) => s.state), job.progress]);

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function fanOutBenchmark(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const n of SUBSCRIBER_COUNTS) {
    const largest = n === Math.max(...SUBSCRIBER_COUNTS);
    const figures = await fanOutAt(scaled(n, 10), largest);
    results.push(
      ...figures.map((r, i) => ({
        ...r,
        // the first count keeps the names the earlier runs had
        name: n === SUBSCRIBER_COUNTS[0] && i < 3 ? r.name : `${r.name} (${n})`,
      })),
    );
  }
  return results;
}

/** `largest`: the count that also gets the memory figures and the bare-server baseline */
async function fanOutAt(count: number, largest: boolean): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-fan-out-'));
  let started: StartedDaemon | undefined;
  let stopSampler = () => undefined as void;
  let subscribers: SubscriberProcesses<JobEvent> | undefined;
  try {
    const data = writeDataset(join(root, 'data'), { files: DATA_FILES, bytes: DATA_BYTES });
    started = await startDaemon(
      root,
      {
        repositories: {
          local: {
            location: join(root, 'repo'),
            password: PASSWORD,
            limits: { upload: UPLOAD_LIMIT },
          },
        },
        backups: { fan: { paths: [data.root], repositories: ['local'] } },
      },
      { entry: 'dist' },
    );
    const { client, daemon } = started;
    await waitForJobs(client, 'INIT', 1, 60_000);
    const idleRss = rssBytes(daemon.pid);
    let peakRss = idleRss;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rssBytes(daemon.pid));
      } catch {
        // gone
      }
    }, 100);
    stopSampler = () => clearInterval(sampler);

    subscribers = await subscribe(client.url.replace(/^http/, 'ws'), count);

    // graphql-ws does not acknowledge a subscription: a short job (unlock) shows that every
    // subscriber's subscription is live before the measured backup starts
    const { unlockRepository: probe } = await client.data<{ unlockRepository: { id: string } }>(
      'mutation { unlockRepository(name: "local") { id } }',
    );
    await waitForEnd(client, probe.id, 60_000);
    await subscribers.ended(probe.id, 30_000);

    const cpuBefore = cpuSeconds(daemon.pid);
    const { runBackup: backup } = await client.data<{ runBackup: { id: string } }>(
      'mutation { runBackup(name: "fan") { id } }',
    );
    // the end is awaited through the subscribers themselves: polling the job over HTTP (20 times
    // a second) took daemon time from the deliveries being measured
    const ended = await subscribers.ended(backup.id, 300_000);
    if (ended.state !== 'SUCCEEDED') throw new Error(`the backup ended ${ended.state}`);
    const cpu = cpuSeconds(daemon.pid) - cpuBefore;
    stopSampler();
    const { streams, errors } = await subscribers.streams({ id: backup.id });
    // after the burst: the subscribers leave, then memory should come back near idle
    await subscribers.dispose();
    const leftAt = Date.now();

    // 1. every state change, in order, for every subscriber
    const stateOrder = (events: Received[]) =>
      events.map((e) => e.job.state).filter((state, i, all) => i === 0 || all[i - 1] !== state);
    const complete = streams.filter(
      (events) => stateOrder(events).join('>') === 'QUEUED>RUNNING>SUCCEEDED',
    ).length;
    const keys = streams.map((events) => events.map((e) => eventKey(e.job)).join('\n'));
    const identical = keys.every((k) => k === keys[0]);
    const eventCounts = streams.map((events) => events.length);

    // 2. progress at least once a second while running: the longest silence per subscriber,
    // from its first event with progress to the SUCCEEDED event
    const silences = streams.map((events) => {
      const first = events.findIndex((e) => e.job.progress !== null);
      const last = events.findIndex((e) => e.job.state === 'SUCCEEDED');
      const running = events.find((e) => e.job.state === 'RUNNING')?.mono ?? NaN;
      let longest = { gap: 0, at: NaN, after: '' };
      for (let i = first + 1; first >= 0 && i <= last; i++) {
        const gap = events[i].mono - events[i - 1].mono;
        if (gap > longest.gap) {
          const progress = events[i - 1].job.progress;
          longest = {
            gap,
            at: (events[i - 1].mono - running) / 1000,
            after: progress ? `${progress.percent}%` : 'no progress',
          };
        }
      }
      return longest;
    });
    const gaps = silences.map((s) => s.gap);
    const worstGap = Math.max(...gaps);
    const worst = silences[gaps.indexOf(worstGap)];
    const toProgress = streams.map((events) => {
      const running = events.find((e) => e.job.state === 'RUNNING');
      const progress = events.find((e) => e.job.progress !== null);
      return running && progress ? progress.mono - running.mono : NaN;
    });
    const toFull = streams.map((events) => {
      const running = events.find((e) => e.job.state === 'RUNNING');
      const full = events.find((e) => (e.job.progress?.percent ?? 0) >= 100);
      return running && full ? full.mono - running.mono : NaN;
    });
    const last = streams[0][streams[0].length - 1].job;
    const runningSeconds =
      (Date.parse(last.endedAt ?? '') - Date.parse(last.startedAt ?? '')) / 1000;

    // 3a. delay from the daemon's publish (Job.updatedAt, same machine clock) to receipt, for
    // every event, progress included
    const delays = streams.flatMap((events) =>
      events.map((e) => e.wall - Date.parse(e.job.updatedAt)),
    );
    // 3b. the spread between the first and the last subscriber receiving the same event (by
    // position when all streams are identical): what fan-out adds on top of one delivery
    const spreads: number[] = [];
    const lags: number[] = [];
    const byEvent = new Map<string, number[]>();
    streams.forEach((events) =>
      events.forEach((e, index) => {
        const key = identical ? String(index) : eventKey(e.job);
        if (!byEvent.has(key)) byEvent.set(key, []);
        byEvent.get(key)!.push(e.mono);
      }),
    );
    for (const times of byEvent.values()) {
      if (times.length !== count) continue;
      const earliest = Math.min(...times);
      spreads.push(Math.max(...times) - earliest);
      lags.push(...times.map((t) => t - earliest));
    }
    printVersionDelays('daemon', streams);
    const delayP99 = percentile(delays, 99);
    // events published within BURST_MS of the one before (a job starts with QUEUED and RUNNING
    // in the same turn) wait for the earlier one's deliveries: shown apart
    const delaysWhere = (burst: boolean) =>
      streams.flatMap((events) => {
        const published = events.map((e) => Date.parse(e.job.updatedAt));
        const inBurst = (index: number) =>
          index > 0 && published[index] - published[index - 1] < BURST_MS;
        return events
          .filter((_, index) => inBurst(index) === burst)
          .map((e) => e.wall - Date.parse(e.job.updatedAt));
      });
    const alone = delaysWhere(false);
    const following = delaysWhere(true);
    const spreadP99 = percentile(spreads, 99);
    const lagP99 = percentile(lags, 99);
    // The figures are made: what the subscribers received goes before the waits below, so
    // that the benchmark process collects it while the daemon's memory is watched, not while
    // the baseline's clients are measured.
    const versions = streams[0];
    streams.splice(0);
    const after = largest ? await rssAfterBurst(daemon.pid, idleRss, leftAt) : undefined;
    // 4. at the largest count, the same number of clients fed the same versions by a bare server,
    // alone, then with the same restic backup running beside it
    const bare = largest ? await bareFanOut(count, versions) : undefined;
    const bareBeside = largest
      ? await bareFanOut(count, versions, { data: data.root, root })
      : undefined;

    const who = `${count} graphql-ws subscribers (one websocket each) on jobUpdated, during a ${runningSeconds.toFixed(1)} s backup (${DATA_BYTES / MiB} MiB under limits.upload ${UPLOAD_LIMIT}; daemon CPU ${cpu.toFixed(1)} s)`;
    return [
      {
        name: 'Fan-out: state changes',
        figure: `${who}: ${complete} of ${count} received QUEUED → RUNNING → SUCCEEDED in order; events per subscriber ${Math.min(...eventCounts)}–${Math.max(...eventCounts)}, ${identical ? 'the same sequence for all' : 'sequences differ (a subscriber that was behind got the newest of versions of the same state)'}; ${errors} errors`,
        goal: 'every subscriber gets every state change',
        holds: complete === count && errors === 0,
      },
      {
        name: 'Fan-out: progress rate',
        figure: `longest silence between updates while running, worst subscriber: ${ms(worstGap)} (from ${worst.at.toFixed(1)} s after RUNNING, progress at ${worst.after}; median subscriber ${ms(median(gaps))}); from RUNNING to the first progress: median ${ms(median(toProgress))}; progress showed 100% ${(median(toFull) / 1000).toFixed(1)} s after RUNNING (restic counts bytes read, not uploaded)`,
        goal: `an update at least every ${PROGRESS_GAP_GOAL_MS} ms for every subscriber`,
        holds: worstGap <= PROGRESS_GAP_GOAL_MS,
      },
      {
        name: 'Fan-out: delivery delay',
        figure: `publish (Job.updatedAt) to receipt, every event of every subscriber: p99 ${ms(delayP99)} (median ${ms(median(delays))}, max ${ms(Math.max(...delays))}, ${delays.length} deliveries; events published ≥ ${BURST_MS} ms after the one before: p99 ${alone.length ? ms(percentile(alone, 99)) : '–'}, the ${+(following.length / count).toFixed(1)} published within ${BURST_MS} ms of the one before: p99 ${following.length ? ms(percentile(following, 99)) : '–'}); receipt after the first subscriber: p99 ${ms(lagP99)}, first-to-last spread per event p99 ${ms(spreadP99)} (median ${ms(median(spreads))}, ${spreads.length} events)`,
        goal: `p99 ≤ ${DELAY_GOAL_MS} ms`,
        holds: delayP99 <= DELAY_GOAL_MS,
      },
      ...(bare
        ? [
            {
              name: 'Fan-out: bare server baseline',
              figure: `the same ${count} graphql-ws clients sent the backup's ${bare.versions} versions (the daemon's payloads, restamped, in its rhythm) by a bare ws server (no GraphQL, no job feeds, no restic), after the daemon's run: publish to receipt p99 ${ms(bare.p99)} (median ${ms(bare.median)}, ${bare.deliveries} deliveries; the server's CPU ${bare.cpu.toFixed(1)} s, the daemon's ${cpu.toFixed(1)} s); the daemon's p99 is ${(delayP99 / bare.p99).toFixed(2)} × that`,
              goal: 'no goal, reported (what the machine and the clients allow)',
              holds: true,
            },
          ]
        : []),
      ...(bareBeside
        ? [
            {
              name: 'Fan-out: bare server with restic beside it',
              figure: `the same, while the same restic backup (the same data into a new repository, --limit-upload as the daemon's, started as the RUNNING version is sent) runs beside the bare server: publish to receipt p99 ${ms(bareBeside.p99)} (median ${ms(bareBeside.median)}, ${bareBeside.deliveries} deliveries; the server's CPU ${bareBeside.cpu.toFixed(1)} s); the daemon's p99 is ${(delayP99 / bareBeside.p99).toFixed(2)} × that`,
              goal: 'no goal, reported (what the machine, the clients and restic allow)',
              holds: true,
            },
          ]
        : []),
      ...(after
        ? [
            {
              name: 'Fan-out: daemon memory',
              figure: `${count} subscribers: daemon RSS peak ${mb(peakRss)} MB (idle before subscribing ${mb(idleRss)} MB, +${mb(peakRss - idleRss)} MB; VmRSS every 100 ms from the first subscriber to the end of the backup)`,
              goal: `peak ≤ idle + ${RSS_GOAL_BYTES / MiB} MB`,
              holds: peakRss - idleRss <= RSS_GOAL_BYTES,
            },
            {
              name: 'Fan-out: memory after the burst',
              figure: `the ${count} subscribers left: daemon RSS ${after.at5s === undefined ? '' : `${mb(after.at5s)} MB 5 s later; `}${after.backAfterS === undefined ? `still ${mb(after.last)} MB after ${RSS_BACK_WAIT_MS / 1000} s` : `${mb(after.last)} MB after ${after.backAfterS} s`} (idle before subscribing ${mb(idleRss)} MB; VmRSS once a second; the backup's follow-up index job runs meanwhile)`,
              goal: `back within ${RSS_BACK_SHARE * 100}% of idle within ${RSS_BACK_WAIT_MS / 1000} s`,
              holds: after.backAfterS !== undefined,
            },
          ]
        : []),
    ];
  } finally {
    stopSampler();
    await subscribers?.dispose();
    await started?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The baseline: `count` graphql-ws clients, as in the daemon's run, each on its own websocket,
 * sent the versions one subscriber received from the daemon (their payloads, each stamped anew
 * as it is sent, with the gaps the daemon published them at) by a bare ws server
 * (support/bare-fan-out-server.ts). The daemon, idle by then, is still running.
 * With `beside`, the backup the daemon ran is run by bare restic too, from the moment the
 * RUNNING version is sent (as the daemon spawns restic once RUNNING is handed over): the same
 * data into a new repository under the same upload limit, reading and hashing on the same cores
 * while the versions go out.
 */
async function bareFanOut(
  count: number,
  received: Received[],
  beside?: { data: string; root: string },
): Promise<{ versions: number; deliveries: number; p99: number; median: number; cpu: number }> {
  const restic = beside && { env: await besideRepository(beside.root), data: beside.data };
  const server = await startBareFanOutServer();
  let subscribers: SubscriberProcesses<JobEvent> | undefined;
  let backup: Promise<string> | undefined;
  try {
    subscribers = await subscribe(server.url, count);
    // as with the daemon, a subscription is not acknowledged: probe until all are registered,
    // and as the daemon's unlock job, the probe is an ended job that every subscriber has
    // received before the first version is sent (sent sooner, it met clients still reading the
    // probe, and the start's two versions were slower than the daemon's)
    const probe = { ...received[received.length - 1].job, id: 'probe' };
    await waitFor(
      async () => (await server.send(probe)) === count,
      'every bare subscription registered',
      30_000,
    );
    await subscribers.ended('probe', 30_000);
    const published = received.map((e) => Date.parse(e.job.updatedAt));
    const cpuBefore = cpuSeconds(server.pid);
    for (const [i, { job }] of received.entries()) {
      if (i > 0) await sleep(published[i] - published[i - 1]);
      await server.send(job as unknown as Record<string, unknown>);
      if (restic && !backup && job.state === 'RUNNING') {
        const limits = limitFlags({ upload: parseSize(UPLOAD_LIMIT) as number });
        backup = resticRun(
          ['--json', 'backup', ...limits, '--host=bench', '--', restic.data],
          restic.env,
        );
      }
    }
    await subscribers.received(received.length, 'probe', 60_000);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    await backup;
    const { streams } = await subscribers.streams({ exceptId: 'probe' });
    printVersionDelays('bare server', streams);
    const delays = streams.flatMap((events) =>
      events.map((e) => e.wall - Date.parse(e.job.updatedAt)),
    );
    return {
      versions: received.length,
      deliveries: delays.length,
      p99: percentile(delays, 99),
      median: median(delays),
      cpu,
    };
  } finally {
    await backup?.catch(() => undefined);
    await subscribers?.dispose();
    await server.stop();
  }
}

/** A new repository for the bare restic beside the bare server, and restic's environment for it. */
async function besideRepository(root: string): Promise<Record<string, string>> {
  const env = bareResticEnv(join(root, 'beside-state'), join(root, 'beside-repo'), PASSWORD);
  await resticRun(['init'], env);
  return env;
}

/** HEN_BENCH_FAN_OUT_DETAIL=1: the delays of each version of the job, on stderr. */
function printVersionDelays(who: string, streams: Received[][]): void {
  if (!process.env.HEN_BENCH_FAN_OUT_DETAIL) return;
  const byVersion = new Map<string, number[]>();
  for (const events of streams)
    for (const e of events) {
      const key = `${e.job.updatedAt} ${e.job.state} ${e.job.progress?.percent ?? '-'}`;
      if (!byVersion.has(key)) byVersion.set(key, []);
      byVersion.get(key)!.push(e.wall - Date.parse(e.job.updatedAt));
    }
  for (const [key, d] of [...byVersion].sort()) {
    d.sort((a, b) => a - b);
    console.error(
      `${who} ${key}: n=${d.length} min=${d[0]} p50=${d[d.length >> 1]} p99=${percentile(d, 99)} max=${d[d.length - 1]}`,
    );
  }
}

/**
 * The daemon's RSS once a second after the subscribers left, until it is within RSS_BACK_SHARE
 * of its idle figure or RSS_BACK_WAIT_MS have passed. V8 gives the burst's memory back when its
 * memory reducer collects, tens of seconds after the daemon went quiet: 5 s is too early to tell.
 */
async function rssAfterBurst(
  pid: number,
  idle: number,
  leftAt: number,
): Promise<{ at5s?: number; last: number; backAfterS?: number }> {
  let at5s: number | undefined;
  for (let seconds = 1; ; seconds++) {
    await sleep(Math.max(0, leftAt + seconds * 1000 - Date.now()));
    const rss = rssBytes(pid);
    if (seconds === 5) at5s = rss;
    const back = rss <= idle * (1 + RSS_BACK_SHARE);
    if (back || seconds * 1000 >= RSS_BACK_WAIT_MS) {
      return { at5s, last: rss, backAfterS: back ? seconds : undefined };
    }
  }
}

export const benchmark: Benchmark = {
  order: 50,
  id: 'fan-out',
  describe:
    "The built daemon with one local repository limited to `limits.upload: 1M` and one backup of 10 MiB of incompressible data (100 files), so that the backup runs about ten seconds. Run once per subscriber count (200, 1,000, 2,000; a new daemon each): that many graphql-ws clients, each on its own websocket, subscribe to `jobUpdated` (no filter); an unlock job first shows that every subscription is live. Then `runBackup`; every event of the backup job is recorded with its receipt time. Figures: subscribers that saw QUEUED → RUNNING → SUCCEEDED (and the same event sequence as the others); the longest silence between two updates from the first progress to the end; delivery delay: each event's `updatedAt` (set by the daemon just before it stores and publishes that version of the job) against its receipt time (same machine clock), for every event of every subscriber, plus the spread between the first and the last subscriber to receive the same event. At the largest count, the daemon's RSS (VmRSS every 100 ms) from before the first subscriber to the end of the backup, then once a second after every subscriber left (while the backup's follow-up index job runs), until it is within 10% of the idle figure (at most 120 s); then the baseline: as many graphql-ws clients sent the same versions (the daemon's payloads, stamped as sent, at the gaps the daemon published them, once every client has received a probe, an ended job, as the daemon's unlock job) by a bare `ws` server in a process of its own (bench/support/bare-fan-out-server.ts: no GraphQL, no job feeds, no restic), publish to receipt p99 against the daemon's; and the same again while bare restic runs the same backup beside the bare server (the same data into a new repository under the same upload limit, started as the RUNNING version is sent), so that the daemon is compared with the same work done without it. The subscribers run in child processes of the benchmark, two by default (1,000 each at 2,000; HEN_BENCH_FAN_OUT_PROCESSES; bench/support/subscriber-processes.ts says why not one), on the same 2 CPUs as the daemon and restic.",
  run: fanOutBenchmark,
};
