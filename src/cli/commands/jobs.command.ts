import { Option, type Command } from 'commander';
import { enumList, positiveInt } from '../arguments';
import { graphql } from '../generated';
import type { JobOperation, JobState } from '../generated/graphql';
import { hostHead, hostRows, jsonOfHosts, readEveryHost } from '../many-hosts';
import { formatBytes, formatDuration } from '../output/format';
import { shortId, stateText } from '../output/job-text';
import { renderTable } from '../output/table';
import { present } from '../api-client';
import { act, type Session } from '../session';

const JOBS = graphql(`
  query CliJobs($first: Int, $filter: JobFilterInput) {
    jobs(first: $first, filter: $filter) {
      edges {
        node {
          id
          number
          operation
          backupName
          repositoryName
          state
          trigger
          queuedAt
          startedAt
          endedAt
          warnings
        }
      }
    }
  }
`);

const JOB = graphql(`
  query CliJob($id: ID!) {
    job(id: $id) {
      id
      number
      operation
      backupName
      repositoryName
      state
      trigger
      priority
      queuedAt
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
        filesDone
        totalFiles
        secondsRemaining
        step
      }
      steps {
        name
        kind
        repositoryName
        state
        startedAt
        endedAt
        snapshotId
        error {
          code
          message
        }
      }
    }
  }
`);

const CANCEL = graphql(`
  mutation CliCancelJob($id: ID!) {
    cancelJob(id: $id) {
      id
      number
      state
    }
  }
`);

export const JOB_STATES: JobState[] = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'INTERRUPTED',
];
export const JOB_OPERATIONS: JobOperation[] = [
  'BACKUP',
  'PRUNE',
  'CHECK',
  'RESTORE',
  'UNLOCK',
  'INIT',
];

interface JobsOptions {
  state?: JobState[];
  operation?: JobOperation[];
  backup?: string;
  repository?: string;
  limit: number;
}

function took(startedAt?: string | null, endedAt?: string | null): string {
  if (!startedAt) return '-';
  const end = endedAt ? Date.parse(endedAt) : Date.now();
  return formatDuration((end - Date.parse(startedAt)) / 1000);
}

async function jobs(session: Session, options: JobsOptions): Promise<number> {
  const filter = {
    states: options.state,
    operations: options.operation,
    backup: options.backup,
    repository: options.repository,
  };
  const { results, exitCode } = await readEveryHost(session, async (client) => ({
    jobs: present((await client.request(JOBS, { first: options.limit, filter })).jobs, 'jobs'),
  }));
  if (session.options.json) {
    session.printJson(jsonOfHosts(session, results));
    return exitCode;
  }
  const { terminal } = session;
  const rows = hostRows(session, results, ({ jobs }) =>
    jobs.edges.map(({ node: j }) => [
      String(j.number),
      j.operation.toLowerCase(),
      j.backupName ?? j.repositoryName ?? '-',
      stateText(terminal.colours, j.state) + (j.warnings.length ? ' (warnings)' : ''),
      j.trigger.toLowerCase(),
      terminal.time(j.queuedAt),
      took(j.startedAt, j.endedAt),
    ]),
  );
  terminal.write(
    renderTable(
      terminal,
      hostHead(session, ['ID', 'OPERATION', 'TARGET', 'STATE', 'TRIGGER', 'QUEUED', 'TOOK']),
      rows,
    ),
  );
  return exitCode;
}

async function job(session: Session, id: string): Promise<number> {
  const j = present((await session.client().request(JOB, { id })).job, 'the job');
  if (session.options.json) {
    session.printJson({ job: j });
    return 0;
  }
  const { terminal } = session;
  const c = terminal.colours;
  const lines = [
    `job ${c.bold(String(j.number))}: ${j.operation.toLowerCase()} ${j.backupName ?? j.repositoryName ?? ''}`,
    `state:     ${stateText(c, j.state)}`,
    `trigger:   ${j.trigger.toLowerCase()}, priority ${j.priority}`,
    `queued:    ${terminal.time(j.queuedAt)}`,
    `started:   ${terminal.time(j.startedAt)}`,
    `ended:     ${terminal.time(j.endedAt)} (took ${took(j.startedAt, j.endedAt)})`,
  ];
  if (j.progress && j.state === 'RUNNING') {
    const p = j.progress;
    lines.push(
      `progress:  ${p.percent.toFixed(1)}% ${formatBytes(p.bytesDone)}/${formatBytes(p.totalBytes)}, ` +
        `${p.filesDone}/${p.totalFiles} files, ${formatDuration(p.secondsRemaining)} left`,
    );
  }
  if (j.snapshotIds.length) lines.push(`snapshots: ${j.snapshotIds.map(shortId).join(' ')}`);
  if (j.error) lines.push(`error:     ${c.red(`${j.error.code}: ${j.error.message}`)}`);
  for (const warning of j.warnings) lines.push(`warning:   ${c.yellow(warning)}`);
  terminal.write(`${lines.join('\n')}\n`);
  if (j.steps.length) {
    terminal.write('\n');
    terminal.write(
      renderTable(
        terminal,
        ['STEP', 'KIND', 'STATE', 'TOOK', 'SNAPSHOT', 'ERROR'],
        j.steps.map((s) => [
          s.name,
          s.kind.toLowerCase(),
          stateText(c, s.state),
          took(s.startedAt, s.endedAt),
          s.snapshotId ? shortId(s.snapshotId) : '-',
          s.error ? `${s.error.code}: ${s.error.message}` : '',
        ]),
      ),
    );
  }
  return 0;
}

async function cancel(session: Session, id: string): Promise<number> {
  const cancelJob = present((await session.client().request(CANCEL, { id })).cancelJob, 'the job');
  if (session.options.json) session.printJson({ cancelJob });
  else {
    // a running job is asked to stop; it ends as canceled once restic has let go of its lock
    const state = cancelJob.state === 'RUNNING' ? 'stopping' : cancelJob.state.toLowerCase();
    session.terminal.write(`job ${cancelJob.number}: ${state}\n`);
  }
  return 0;
}

export function registerJobs(program: Command): void {
  program
    .command('jobs')
    .description('recent jobs, newest first')
    .addOption(
      new Option('--state <states>', `only these states, comma-separated`).argParser(
        enumList(JOB_STATES),
      ),
    )
    .addOption(
      new Option('--operation <operations>', 'only these operations, comma-separated').argParser(
        enumList(JOB_OPERATIONS),
      ),
    )
    .option('--backup <name>', 'only jobs of this backup')
    .option('--repository <name>', 'only jobs on this repository')
    .option('--limit <n>', 'how many, 1..500', positiveInt(500), 20)
    .option('--json', 'print the API answer as JSON')
    .option('--all', 'ask every context, one table with a host column')
    .addHelpText(
      'after',
      '\nExamples:\n  henctl jobs --state failed,interrupted\n  henctl jobs --backup pictures --limit 5\n  henctl jobs --all --state running',
    )
    .action(act(jobs));

  program
    .command('job')
    .argument('<id>', 'the job: its number (42) or global id (Job:42)')
    .description('one job: state, times, progress, steps, error, warnings and snapshots')
    .option('--json', 'print the API answer as JSON')
    .addHelpText('after', '\nExamples:\n  henctl job 42\n  henctl job 42 --json | jq .job.state')
    .action(act(job));

  program
    .command('cancel')
    .argument('<id>', 'the job: its number (42) or global id (Job:42)')
    .description('cancel a waiting job, or abort a running one (restic removes its lock)')
    .option('--json', 'print the API answer as JSON')
    .addHelpText('after', '\nExample:\n  henctl cancel 42')
    .action(act(cancel));
}
