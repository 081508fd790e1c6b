import type { Command } from 'commander';
import { graphql } from '../generated';
import { hostHead, hostRows, jsonOfHosts, readEveryHost } from '../many-hosts';
import { stateText } from '../output/job-text';
import { renderTable } from '../output/table';
import { present } from '../api-client';
import { act, type Session } from '../session';

const BACKUPS = graphql(`
  query CliBackups {
    backups {
      name
      paths
      schedules
      watched
      priority
      nextRunAt
      repositoryNames
      lastJob {
        number
        state
        endedAt
      }
    }
  }
`);

async function backups(session: Session): Promise<number> {
  const { results, exitCode } = await readEveryHost(session, async (client) => ({
    backups: present((await client.request(BACKUPS)).backups, 'backups'),
  }));
  if (session.options.json) {
    session.printJson(jsonOfHosts(session, results));
    return exitCode;
  }
  const { terminal } = session;
  const rows = hostRows(session, results, ({ backups }) =>
    backups.map((b) => [
      b.name,
      b.paths.join(' '),
      b.repositoryNames.join(' '),
      [...b.schedules, ...(b.watched ? ['watch'] : [])].join(' ') || '-',
      b.lastJob
        ? `${stateText(terminal.colours, b.lastJob.state)} ${terminal.time(b.lastJob.endedAt)}`
        : '-',
      terminal.time(b.nextRunAt),
    ]),
  );
  terminal.write(
    renderTable(
      terminal,
      hostHead(session, ['NAME', 'PATHS', 'REPOSITORIES', 'WHEN', 'LAST JOB', 'NEXT RUN']),
      rows,
    ),
  );
  return exitCode;
}

export function registerBackups(program: Command): void {
  program
    .command('backups')
    .description('the backup definitions: paths, repositories, schedules, last job, next run')
    .option('--json', 'print the API answer as JSON')
    .option('--all', 'ask every context, one table with a host column')
    .addHelpText('after', '\nExamples:\n  henctl backups\n  henctl backups --all --json')
    .action(act(backups));
}
