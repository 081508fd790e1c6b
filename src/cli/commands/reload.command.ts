import type { Command } from 'commander';
import { present } from '../api-client';
import { ExitCode } from '../exit-codes';
import { graphql } from '../generated';
import { act, type Session } from '../session';

const RELOAD = graphql(`
  mutation CliReload {
    reloadConfig {
      reloaded
      source
      issues {
        path
        message
      }
      backups {
        added
        removed
        changed
      }
      repositories {
        added
        removed
        changed
      }
    }
  }
`);

async function reload(session: Session): Promise<number> {
  const r = present((await session.client().request(RELOAD)).reloadConfig, 'the reload');
  if (session.options.json) {
    session.printJson({ reloadConfig: r });
    return r.reloaded ? ExitCode.OK : ExitCode.USAGE;
  }
  const { terminal } = session;
  if (!r.reloaded) {
    for (const issue of r.issues)
      process.stderr.write(`${r.source}: ${issue.path}: ${issue.message}\n`);
    process.stderr.write(
      `henctl: the daemon refused ${r.source} and keeps its previous configuration\n`,
    );
    return ExitCode.USAGE;
  }
  const changes = (kind: string, c: { added: string[]; removed: string[]; changed: string[] }) => [
    ...c.added.map((n) => `${kind} ${n}: added`),
    ...c.removed.map((n) => `${kind} ${n}: removed`),
    ...c.changed.map((n) => `${kind} ${n}: changed`),
  ];
  const lines = [...changes('backup', r.backups), ...changes('repository', r.repositories)];
  terminal.write(`reloaded ${r.source}${lines.length ? '' : ': nothing changed'}\n`);
  for (const line of lines) terminal.write(`  ${line}\n`);
  return ExitCode.OK;
}

export function registerReload(program: Command): void {
  program
    .command('reload')
    .description('make the daemon read its configuration file again (as SIGHUP does)')
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      '\nExit code 2 when the daemon refuses the file (it keeps the previous configuration).\n\nExample:\n  henctl reload',
    )
    .action(act(reload));
}
