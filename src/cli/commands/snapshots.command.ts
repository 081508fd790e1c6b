import type { Command } from 'commander';
import { positiveInt, since, SNAPSHOT_ARGUMENT } from '../arguments';
import { graphql } from '../generated';
import { hostHead, hostRows, jsonOfHosts, readEveryHost } from '../many-hosts';
import { formatBytes } from '../output/format';
import { shortId } from '../output/job-text';
import { renderTable } from '../output/table';
import { present } from '../api-client';
import { act, type Session } from '../session';

const SNAPSHOTS = graphql(`
  query CliSnapshots(
    $repository: String!
    $first: Int
    $backup: String
    $host: String
    $tag: String
    $takenAfter: DateTime
  ) {
    snapshots(
      repository: $repository
      first: $first
      backup: $backup
      host: $host
      tag: $tag
      takenAfter: $takenAfter
    ) {
      edges {
        node {
          id
          snapshotId
          time
          hostname
          backupName
          paths
          tags
        }
      }
    }
  }
`);

const SNAPSHOT_FILES = graphql(`
  query CliSnapshotFiles($repository: String!, $snapshot: String!, $path: String, $after: String) {
    snapshot(repository: $repository, snapshot: $snapshot) {
      snapshotId
      files(path: $path, first: 500, after: $after) {
        path
        totalCount
        edges {
          node {
            name
            path
            type
            mode
            size
            mtime
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

const DIFF = graphql(`
  query CliDiff($repository: String!, $from: String!, $to: String!) {
    diffSnapshots(repository: $repository, from: $from, to: $to, limit: 10000) {
      added
      removed
      changed
      truncated
      totals {
        added
        removed
        changed
        addedBytes
        removedBytes
      }
    }
  }
`);

interface SnapshotsOptions {
  backup?: string;
  host?: string;
  tag?: string;
  since?: string;
  limit: number;
}

async function snapshots(session: Session, repository: string, options: SnapshotsOptions) {
  const { results, exitCode } = await readEveryHost(session, async (client) => {
    const answer = await client.request(SNAPSHOTS, {
      repository,
      first: options.limit,
      backup: options.backup,
      host: options.host,
      tag: options.tag,
      takenAfter: options.since,
    });
    return { snapshots: present(answer.snapshots, 'snapshots') };
  });
  if (session.options.json) {
    session.printJson(jsonOfHosts(session, results));
    return exitCode;
  }
  const { terminal } = session;
  const rows = hostRows(session, results, ({ snapshots }) =>
    snapshots.edges.map(({ node: s }) => [
      shortId(s.snapshotId),
      terminal.time(s.time),
      s.hostname,
      s.backupName ?? '-',
      s.paths.join(' '),
      s.tags.join(',') || '-',
    ]),
  );
  terminal.write(
    renderTable(
      terminal,
      hostHead(session, ['ID', 'TIME', 'HOST', 'BACKUP', 'PATHS', 'TAGS']),
      rows,
    ),
  );
  return exitCode;
}

function modeText(type: string, mode: number): string {
  const kind = type === 'DIR' ? 'd' : type === 'SYMLINK' ? 'l' : type === 'FILE' ? '-' : '?';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((ch, i) => (mode & (1 << (8 - i)) ? ch : '-'))
    .join('');
  return kind + bits;
}

async function ls(session: Session, repository: string, snapshot: string, path?: string) {
  const client = session.client();
  const readPage = async (after?: string) => {
    const answer = await client.request(SNAPSHOT_FILES, { repository, snapshot, path, after });
    return present(answer.snapshot, 'the snapshot');
  };
  type Entry = Awaited<ReturnType<typeof readPage>>['files']['edges'][number]['node'];
  const entries: Entry[] = [];
  let folder = '';
  let snapshotId = '';
  let after: string | undefined;
  for (;;) {
    const found = await readPage(after);
    const page = found.files;
    snapshotId = found.snapshotId;
    folder = page.path;
    entries.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
    after = page.pageInfo.endCursor;
  }
  if (session.options.json) {
    session.printJson({ snapshotId, path: folder, entries });
    return 0;
  }
  const { terminal } = session;
  const c = terminal.colours;
  terminal.write(
    renderTable(
      terminal,
      ['MODE', 'SIZE', 'MODIFIED', 'NAME'],
      entries.map((e) => [
        modeText(e.type, e.mode),
        e.type === 'FILE' ? formatBytes(e.size) : '-',
        terminal.time(e.mtime),
        e.type === 'DIR' ? c.blue(`${e.name}/`) : e.name,
      ]),
    ),
  );
  return 0;
}

async function diff(session: Session, repository: string, from: string, to: string) {
  const answer = await session.client().request(DIFF, { repository, from, to });
  const d = present(answer.diffSnapshots, 'the difference');
  if (session.options.json) {
    session.printJson({ diffSnapshots: d });
    return 0;
  }
  const { terminal } = session;
  const c = terminal.colours;
  const lines = [
    ...d.added.map((p) => c.green(`+ ${p}`)),
    ...d.removed.map((p) => c.red(`- ${p}`)),
    ...d.changed.map((p) => c.yellow(`M ${p}`)),
  ];
  const t = d.totals;
  lines.push(
    `${t.added} added (${formatBytes(t.addedBytes)}), ${t.removed} removed (${formatBytes(t.removedBytes)}), ${t.changed} changed` +
      (d.truncated ? ' (lists cut at 10000 paths each)' : ''),
  );
  terminal.write(`${lines.join('\n')}\n`);
  return 0;
}

export function registerSnapshots(program: Command): void {
  program
    .command('snapshots')
    .argument('<repository>', 'the repository')
    .description('snapshots of a repository, newest first')
    .option('--backup <name>', 'only those made by this backup definition')
    .option('--host <name>', 'only those made on this host')
    .option('--tag <tag>', 'only those carrying this tag')
    .option('--since <when>', 'only those taken since: a duration (7d, 12h) or an ISO time', (v) =>
      since(v),
    )
    .option('--limit <n>', 'how many, 1..500', positiveInt(500), 50)
    .option('--json', 'print the API answer as JSON')
    .option('--all', 'ask every context, one table with a host column')
    .addHelpText(
      'after',
      '\nExamples:\n  henctl snapshots nas\n  henctl snapshots nas --backup pictures --since 7d',
    )
    .action(act(snapshots));

  program
    .command('ls')
    .argument('<repository>', 'the repository')
    .argument('<snapshot>', SNAPSHOT_ARGUMENT)
    .argument('[path]', 'a folder inside the snapshot', '/')
    .description('the contents of a folder of a snapshot')
    .option('--json', 'print the entries as JSON')
    .addHelpText('after', '\nExamples:\n  henctl ls nas latest\n  henctl ls nas 1a2b3c4d /home/me')
    .action(act(ls));

  program
    .command('diff')
    .argument('<repository>', 'the repository')
    .argument('<from>', SNAPSHOT_ARGUMENT)
    .argument('<to>', SNAPSHOT_ARGUMENT)
    .description('what changed from one snapshot to another (+ added, - removed, M changed)')
    .option('--json', 'print the API answer as JSON')
    .addHelpText('after', '\nExample:\n  henctl diff nas 1a2b3c4d latest')
    .action(act(diff));
}
