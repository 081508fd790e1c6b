import type { Command } from 'commander';
import { positiveInt } from '../arguments';
import type { ApiClient } from '../api-client';
import { exitCodeOfJob, waitForJob } from '../follow';
import { graphql } from '../generated';
import type { Terminal } from '../output/terminal';
import { act, type Session } from '../session';

const JOB_LOGS = graphql(`
  query CliJobLogs($id: ID!, $after: String) {
    job(id: $id) {
      id
      state
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

interface LogLine {
  seq: number;
  time: string;
  level: string;
  path: string;
  message: string;
}

function lineText(terminal: Terminal, line: LogLine): string {
  const c = terminal.colours;
  // a terminal's reader knows the day; a file or pipe keeps the whole timestamp
  const time = terminal.isTty ? new Date(line.time).toLocaleTimeString() : line.time;
  const level =
    line.level === 'error'
      ? c.red(line.level)
      : line.level === 'warn'
        ? c.yellow(line.level)
        : line.level;
  return `${c.dim(time)} ${level.padEnd(5)} ${c.dim(line.path)} ${line.message}\n`;
}

/** Reads the job's log lines after `cursor` (every page), with the cursor to continue from. */
async function readLogs(client: ApiClient, id: string, cursor?: string) {
  const lines: LogLine[] = [];
  let state = '';
  for (;;) {
    const { job } = await client.request(JOB_LOGS, { id, after: cursor });
    state = job.state;
    lines.push(...job.logs.edges.map((e) => e.node));
    cursor = job.logs.pageInfo.endCursor ?? cursor;
    if (!job.logs.pageInfo.hasNextPage) return { lines, cursor, state };
  }
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
  const print = (line: LogLine) => {
    if (printed.has(line.seq)) return;
    printed.add(line.seq);
    terminal.write(options.json ? `${JSON.stringify(line)}\n` : lineText(terminal, line));
  };
  const first = await readLogs(client, id);
  const shown = options.tail === undefined ? first.lines : first.lines.slice(-options.tail);
  if (options.json && !options.follow) {
    session.printJson(shown);
    return 0;
  }
  for (const line of first.lines) if (!shown.includes(line)) printed.add(line.seq);
  shown.forEach(print);
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
    .argument('<id>', 'the job id')
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
