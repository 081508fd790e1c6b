import type { Command } from 'commander';
import { positiveInt } from '../arguments';
import { present, type ApiClient } from '../api-client';
import { exitCodeOfJob, waitForJob } from '../follow';
import { graphql } from '../generated';
import type { CliJobLogAddedSubscription } from '../generated/graphql';
import type { Terminal } from '../output/terminal';
import { act, type Session } from '../session';

const JOB_LOGS = graphql(`
  query CliJobLogs($id: ID!, $after: String) {
    job(id: $id) {
      logs(first: 500, after: $after) {
        edges {
          node {
            seq
            time
            level
            path
            message
          }
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  }
`);

const JOB_LOG_TAIL = graphql(`
  query CliJobLogTail($id: ID!, $last: Int!, $before: String) {
    job(id: $id) {
      logs(last: $last, before: $before) {
        edges {
          node {
            seq
            time
            level
            path
            message
          }
        }
        pageInfo {
          startCursor
          endCursor
          hasPreviousPage
        }
      }
    }
  }
`);

const LOG_ADDED = graphql(`
  subscription CliJobLogAdded($jobId: ID!) {
    jobLogs(jobId: $jobId) {
      seq
      time
      level
      path
      message
    }
  }
`);

type LogLine = CliJobLogAddedSubscription['jobLogs'];

function lineText(terminal: Terminal, line: LogLine): string {
  const c = terminal.colours;
  // a terminal's reader knows the day; a file or pipe keeps the whole timestamp
  const time = terminal.isTty ? new Date(line.time).toLocaleTimeString() : line.time;
  const name = line.level.toLowerCase().padEnd(5);
  const level =
    line.level === 'ERROR' ? c.red(name) : line.level === 'WARN' ? c.yellow(name) : name;
  return `${c.dim(time)} ${level} ${c.dim(line.path)} ${line.message}\n`;
}

/** Reads the job's log lines after `cursor` (every page), with the cursor to continue from. */
async function readLogs(client: ApiClient, id: string, cursor?: string | null) {
  const lines: LogLine[] = [];
  for (;;) {
    const { logs } = present(
      (await client.request(JOB_LOGS, { id, after: cursor })).job,
      'the job',
    );
    lines.push(...logs.edges.map((e) => e.node));
    cursor = logs.pageInfo.endCursor ?? cursor;
    if (!logs.pageInfo.hasNextPage) return { lines, cursor };
  }
}

/** The last `count` lines, read backwards a page at a time, with the cursor to continue from. */
async function readTail(client: ApiClient, id: string, count: number) {
  const lines: LogLine[] = [];
  let before: string | null | undefined;
  let cursor: string | null | undefined;
  while (lines.length < count) {
    const last = Math.min(500, count - lines.length);
    const { logs } = present(
      (await client.request(JOB_LOG_TAIL, { id, last, before })).job,
      'the job',
    );
    cursor ??= logs.pageInfo.endCursor;
    lines.unshift(...logs.edges.map((e) => e.node));
    before = logs.pageInfo.startCursor;
    if (!logs.pageInfo.hasPreviousPage || !before) break;
  }
  return { lines, cursor };
}

interface LogsOptions {
  follow?: boolean;
  tail?: number;
  json?: boolean;
}

async function logs(session: Session, id: string, options: LogsOptions): Promise<number> {
  const client = session.client();
  const { terminal } = session;
  const printed = new Set<number>();
  let from = 0;
  const print = (line: LogLine) => {
    if (printed.has(line.seq) || line.seq < from) return;
    printed.add(line.seq);
    terminal.write(options.json ? `${JSON.stringify(line)}\n` : lineText(terminal, line));
  };
  const first =
    options.tail === undefined
      ? await readLogs(client, id)
      : await readTail(client, id, options.tail);
  if (options.json && !options.follow) {
    session.printJson(first.lines);
    return 0;
  }
  first.lines.forEach(print);
  // a tail starts there: older lines are not wanted even if the subscription replays them
  if (options.tail !== undefined) from = first.lines[0]?.seq ?? 0;
  if (!options.follow) return 0;

  const done = new AbortController();
  const live = client.subscribe(
    LOG_ADDED,
    { jobId: id },
    (data) => print(data.jobLogs),
    done.signal,
  );
  live.catch(() => done.abort());
  try {
    const final = await waitForJob(client, id, () => {});
    // lines written between the last event and the end, or missed by the subscription
    (await readLogs(client, id, first.cursor)).lines.forEach(print);
    return exitCodeOfJob(final);
  } finally {
    done.abort();
  }
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .argument('<id>', 'the job: its number (42) or global id (Job:42)')
    .description("a job's log, oldest first")
    .option(
      '-f, --follow',
      'keep printing new lines until the job ends (exit code as for run --follow)',
    )
    .option('--tail <n>', 'only the last N lines', positiveInt(100_000))
    .option('--json', 'print the lines as JSON (with --follow: one object a line)')
    .addHelpText('after', '\nExamples:\n  henctl logs 42\n  henctl logs 42 --tail 20 --follow')
    .action(act(logs));
}
