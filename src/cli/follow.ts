import { SingleBar } from 'cli-progress';
import { present, type ApiClient } from './api-client';
import { ExitCode } from './exit-codes';
import { graphql } from './generated';
import type { CliFollowedJobFragment } from './generated/graphql';
import { formatBytes, formatDuration } from './output/format';
import { FINAL_STATES, shortId, stateText } from './output/job-text';
import type { Terminal } from './output/terminal';

graphql(`
  fragment CliFollowedJob on Job {
    id
    number
    operation
    state
    updatedAt
    startedAt
    endedAt
    warnings
    snapshotIds
    error {
      code
      message
    }
    progress {
      percent
      bytesDone
      totalBytes
      secondsElapsed
      secondsRemaining
      currentFiles
      step
    }
    steps {
      name
      state
    }
  }
`);

const JOB_UPDATED = graphql(`
  subscription CliJobUpdated($filter: JobFilterInput) {
    jobUpdated(filter: $filter) {
      ...CliFollowedJob
    }
  }
`);

const JOB_NOW = graphql(`
  query CliJobNow($id: ID!) {
    job(id: $id) {
      ...CliFollowedJob
    }
  }
`);

export type FollowedJob = CliFollowedJobFragment;

/** While following, the job is also read over HTTP this often, in case an event was missed. */
const POLL_MS = 2000;

/**
 * Waits for a job to end and returns it in its final state, calling `onUpdate` with each version
 * seen. Events come from `jobUpdated`; the job is also read over HTTP at the start and every few
 * seconds, so that it ends whether or not the subscription replays, completes by itself, or
 * missed the end between the two.
 */
export async function waitForJob(
  client: ApiClient,
  id: string,
  onUpdate: (job: FollowedJob) => void,
): Promise<FollowedJob> {
  const done = new AbortController();
  let last: FollowedJob | undefined;
  let resolveFinal!: (job: FollowedJob) => void;
  const final = new Promise<FollowedJob>((resolve) => (resolveFinal = resolve));
  const seen = (job: FollowedJob) => {
    if (done.signal.aborted) return;
    // a version read over HTTP may be older than the last event
    if (last && Date.parse(job.updatedAt) < Date.parse(last.updatedAt)) return;
    last = job;
    onUpdate(job);
    if (FINAL_STATES.has(job.state)) {
      done.abort();
      resolveFinal(job);
    }
  };
  const subscription = client.subscribe(
    JOB_UPDATED,
    { filter: { id } },
    (data) => seen(data.jobUpdated),
    done.signal,
  );
  const poll = async () => {
    while (!done.signal.aborted) {
      seen(present((await client.request(JOB_NOW, { id })).job, 'the job'));
      await new Promise((r) => setTimeout(r, POLL_MS).unref());
    }
  };
  const failed = new Promise<never>((_, reject) => {
    subscription.catch(reject);
    poll().catch(reject);
  });
  try {
    return await Promise.race([final, failed]);
  } finally {
    done.abort();
  }
}

/** What the job ended as, for scripts. */
export function exitCodeOfJob(job: FollowedJob): number {
  if (job.state !== 'SUCCEEDED') return ExitCode.JOB_FAILED;
  return job.warnings.length > 0 ? ExitCode.WARNINGS : ExitCode.OK;
}

function tookOf(job: FollowedJob): string {
  if (!job.startedAt || !job.endedAt) return '';
  return ` in ${formatDuration((Date.parse(job.endedAt) - Date.parse(job.startedAt)) / 1000)}`;
}

/** The line that ends `--follow`: outcome, time taken, snapshots or error. */
export function outcomeLine(terminal: Terminal, job: FollowedJob): string {
  const c = terminal.colours;
  const snapshots = job.snapshotIds.length
    ? `: snapshot ${job.snapshotIds.map(shortId).join(' ')}`
    : '';
  const name = `job ${job.number} (${job.operation.toLowerCase()})`;
  if (job.state === 'SUCCEEDED') {
    const n = job.warnings.length;
    const warned = n ? c.yellow(` with ${n} warning${n === 1 ? '' : 's'}`) : '';
    return `${name} ${stateText(c, job.state)}${warned}${tookOf(job)}${snapshots}`;
  }
  const error = job.error ? `: ${job.error.message} (${job.error.code})` : '';
  return `${name} ${stateText(c, job.state)}${tookOf(job)}${error}`;
}

function currentStep(job: FollowedJob): string {
  return job.progress?.step ?? job.steps.find((s) => s.state === 'RUNNING')?.name ?? '';
}

/**
 * Follows a job to its end on the terminal, then prints its outcome and returns the exit code.
 * A terminal gets a live bar (percent, bytes, speed, time left, step, current file); anything
 * else gets one plain line per change of state or step.
 */
export async function followJob(
  client: ApiClient,
  terminal: Terminal,
  id: string,
): Promise<FollowedJob> {
  let render: (job: FollowedJob) => void;
  let stop = () => {};
  if (terminal.isTty) {
    const bar = new SingleBar({
      format: '{bar} {percentage}% {bytes} {speed} {remaining} {step} {file}',
      stream: process.stdout,
      barsize: 24,
      hideCursor: true,
      fps: 5,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
    });
    let started = false;
    render = (job) => {
      const p = job.progress;
      const payload = {
        bytes: p ? `${formatBytes(p.bytesDone)}/${formatBytes(p.totalBytes)}` : '',
        speed: p && p.secondsElapsed > 0 ? `${formatBytes(p.bytesDone / p.secondsElapsed)}/s` : '',
        remaining: p?.secondsRemaining != null ? `${formatDuration(p.secondsRemaining)} left` : '',
        step: job.state === 'QUEUED' ? 'queued' : currentStep(job),
        file: p?.currentFiles[0] ?? '',
      };
      const percent =
        FINAL_STATES.has(job.state) && job.state === 'SUCCEEDED' ? 100 : (p?.percent ?? 0);
      if (!started) {
        bar.start(100, Math.floor(percent), payload);
        started = true;
      } else bar.update(Math.floor(percent), payload);
    };
    stop = () => started && bar.stop();
  } else {
    let said = '';
    render = (job) => {
      const step = currentStep(job);
      const line = `job ${job.number} ${job.state.toLowerCase()}${step ? `: ${step}` : ''}`;
      if (line !== said && !FINAL_STATES.has(job.state)) terminal.write(`${line}\n`);
      said = line;
    };
  }
  // Ctrl-C stops watching, not the job; the bar gives the cursor back first
  const interrupted = () => {
    stop();
    process.stderr.write(
      `\nhenctl: stopped following; the job goes on (henctl cancel ${id.replace(/^Job:/, '')} stops it)\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  let job: FollowedJob;
  try {
    job = await waitForJob(client, id, render);
  } finally {
    process.removeListener('SIGINT', interrupted);
    stop();
  }
  for (const warning of job.warnings) terminal.write(`warning: ${warning}\n`);
  terminal.write(`${outcomeLine(terminal, job)}\n`);
  return job;
}
