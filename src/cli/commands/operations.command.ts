import { Option, type Command } from 'commander';
import { priority } from '../arguments';
import { present, type ApiClient } from '../api-client';
import { exitCodeOfJob, followJob, waitForJob } from '../follow';
import { SNAPSHOT_ARGUMENT } from '../arguments';
import { graphql } from '../generated';
import { act, type Session } from '../session';

const RUN_BACKUP = graphql(`
  mutation CliRunBackup($name: String!, $priority: Priority) {
    runBackup(name: $name, priority: $priority) {
      id
      number
      state
      operation
    }
  }
`);

const PRUNE_BACKUP = graphql(`
  mutation CliPruneBackup($name: String!, $priority: Priority) {
    pruneBackup(name: $name, priority: $priority) {
      id
      number
      state
      operation
    }
  }
`);

const CHECK_REPOSITORY = graphql(`
  mutation CliCheckRepository($name: String!, $priority: Priority) {
    checkRepository(name: $name, priority: $priority) {
      id
      number
      state
      operation
    }
  }
`);

const UNLOCK_REPOSITORY = graphql(`
  mutation CliUnlockRepository($name: String!) {
    unlockRepository(name: $name) {
      id
      number
      state
      operation
    }
  }
`);

const RESTORE_SNAPSHOT = graphql(`
  mutation CliRestoreSnapshot($input: RestoreSnapshotInput!) {
    restoreSnapshot(input: $input) {
      id
      number
      state
      operation
    }
  }
`);

interface QueuedJob {
  id: string;
  number: number;
  state: string;
  operation: string;
}

interface JobOptions {
  priority?: string | number;
  follow?: boolean;
  json?: boolean;
}

/** Says which job was queued, then with `--follow` watches it to its end. */
async function queued(
  session: Session,
  client: ApiClient,
  queuedJob: QueuedJob | null,
  what: string,
  options: JobOptions,
): Promise<number> {
  const job = present(queuedJob, 'the job');
  if (options.json) {
    if (!options.follow) {
      session.printJson({ job });
      return 0;
    }
    const final = await waitForJob(client, job.id, () => {});
    session.printJson({ job: final });
    return exitCodeOfJob(final);
  }
  session.terminal.write(
    `job ${job.number}: ${job.operation.toLowerCase()} ${what} ${job.state.toLowerCase()}\n`,
  );
  if (!options.follow) return 0;
  const final = await followJob(client, session.terminal, job.id);
  return exitCodeOfJob(final);
}

const followOption = () =>
  new Option('-f, --follow', 'watch the job to its end; the exit code tells how it ended');
const priorityOption = () =>
  new Option(
    '--priority <p>',
    'immediate, next, superior, normal, inferior, on-idle, or an integer',
  ).argParser(priority);
const FOLLOW_HELP =
  '\nWith --follow the exit code is 0 succeeded, 3 succeeded with warnings, 1 failed or canceled.';

export function registerOperations(program: Command): void {
  program
    .command('run')
    .argument('<backup>', 'the backup definition')
    .description('queue a backup now (a backup already waiting gets the higher priority instead)')
    .addOption(priorityOption())
    .addOption(followOption())
    .option('--json', 'print the queued job as JSON')
    .addHelpText(
      'after',
      `${FOLLOW_HELP}\n\nExamples:\n  henctl run pictures --follow\n  henctl run pictures --priority next`,
    )
    .action(
      act(async (session, name: string, options: JobOptions) => {
        const client = session.client();
        const { runBackup } = await client.request(RUN_BACKUP, {
          name,
          priority: options.priority,
        });
        return queued(session, client, runBackup, name, options);
      }),
    );

  program
    .command('prune')
    .argument('<backup>', 'the backup definition')
    .description("apply the backup's retention: forget what its policy does not keep, then prune")
    .addOption(priorityOption())
    .addOption(followOption())
    .option('--json', 'print the queued job as JSON')
    .addHelpText('after', `${FOLLOW_HELP}\n\nExample:\n  henctl prune pictures --follow`)
    .action(
      act(async (session, name: string, options: JobOptions) => {
        const client = session.client();
        const { pruneBackup } = await client.request(PRUNE_BACKUP, {
          name,
          priority: options.priority,
        });
        return queued(session, client, pruneBackup, name, options);
      }),
    );

  program
    .command('check')
    .argument('<repository>', 'the repository')
    .description('queue a `restic check` of a repository')
    .addOption(priorityOption())
    .addOption(followOption())
    .option('--json', 'print the queued job as JSON')
    .addHelpText('after', `${FOLLOW_HELP}\n\nExample:\n  henctl check nas --follow`)
    .action(
      act(async (session, name: string, options: JobOptions) => {
        const client = session.client();
        const { checkRepository } = await client.request(CHECK_REPOSITORY, {
          name,
          priority: options.priority,
        });
        return queued(session, client, checkRepository, name, options);
      }),
    );

  program
    .command('unlock')
    .argument('<repository>', 'the repository')
    .description('queue the removal of stale restic locks, ahead of other waiting work')
    .addOption(followOption())
    .option('--json', 'print the queued job as JSON')
    .addHelpText('after', `${FOLLOW_HELP}\n\nExample:\n  henctl unlock nas --follow`)
    .action(
      act(async (session, name: string, options: JobOptions) => {
        const client = session.client();
        const { unlockRepository } = await client.request(UNLOCK_REPOSITORY, { name });
        return queued(session, client, unlockRepository, name, options);
      }),
    );

  program
    .command('restore')
    .argument('<repository>', 'the repository')
    .argument('<snapshot>', SNAPSHOT_ARGUMENT)
    .description("queue a restore of a snapshot into a folder on the daemon's machine")
    .requiredOption(
      '--target <dir>',
      'absolute folder to restore into (restic recreates the snapshot paths below it)',
    )
    .option('--include <path...>', 'restore only these paths of the snapshot')
    .addOption(priorityOption())
    .addOption(followOption())
    .option('--json', 'print the queued job as JSON')
    .addHelpText(
      'after',
      `${FOLLOW_HELP}\n\nExamples:\n  henctl restore nas latest --target /tmp/restored --follow\n  henctl restore nas 1a2b3c4d --target /srv/restore --include /home/me/Pictures/2024`,
    )
    .action(
      act(
        async (
          session,
          repository: string,
          snapshot: string,
          options: JobOptions & { target: string; include?: string[] },
        ) => {
          const client = session.client();
          const { restoreSnapshot } = await client.request(RESTORE_SNAPSHOT, {
            input: {
              repository,
              snapshot,
              target: options.target,
              include: options.include,
              priority: options.priority,
            },
          });
          return queued(session, client, restoreSnapshot, `${repository} ${snapshot}`, options);
        },
      ),
    );
}
