import type { Command } from 'commander';
import { graphql } from '../generated';
import { hostHead, hostRows, jsonOfHosts, readEveryHost } from '../many-hosts';
import { formatDuration } from '../output/format';
import { stateText } from '../output/job-text';
import { renderTable } from '../output/table';
import { present } from '../api-client';
import { act, type Session } from '../session';

const STATUS = graphql(`
  query CliStatus {
    status {
      hostname
      version
      resticVersion
      readOnly
      startedAt
      uptimeSeconds
      runningJobs
      queuedJobs
      backups {
        name
        overdue
        lastSuccessAt
        lastFailureAt
        nextRunAt
        lastJob {
          number
          state
        }
      }
    }
  }
`);

async function status(session: Session): Promise<number> {
  const { results, exitCode } = await readEveryHost(session, async (client) => ({
    status: present((await client.request(STATUS)).status, 'status'),
  }));
  if (session.options.json) {
    session.printJson(jsonOfHosts(session, results));
    return exitCode;
  }
  const { terminal } = session;
  const c = terminal.colours;
  if (!session.options.all && results[0]) {
    const s = results[0].value.status;
    terminal.write(
      `${c.bold(s.hostname)}: hen-backup ${s.version}, restic ${s.resticVersion ?? 'unknown'}, ` +
        `up ${formatDuration(s.uptimeSeconds)}${s.readOnly ? ', read-only' : ''}\n` +
        `jobs: ${s.runningJobs} running, ${s.queuedJobs} queued\n\n`,
    );
  }
  const rows = hostRows(session, results, ({ status }) =>
    status.backups.map((b) => [
      b.name,
      b.lastJob ? `${stateText(c, b.lastJob.state)} (job ${b.lastJob.number})` : '-',
      terminal.time(b.lastSuccessAt),
      terminal.time(b.lastFailureAt),
      terminal.time(b.nextRunAt),
      b.overdue ? c.red('overdue') : 'ok',
    ]),
  );
  terminal.write(
    renderTable(
      terminal,
      hostHead(session, [
        'BACKUP',
        'LAST JOB',
        'LAST SUCCESS',
        'LAST FAILURE',
        'NEXT RUN',
        'HEALTH',
      ]),
      rows,
    ),
  );
  return exitCode;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('the daemon at a glance: versions, jobs running and queued, each backup')
    .option('--json', 'print the API answer as JSON')
    .option('--all', 'ask every context, one table with a host column')
    .addHelpText(
      'after',
      '\nExamples:\n  henctl status\n  henctl status --all\n  henctl status --json | jq .status.backups',
    )
    .action(act(status));
}
