import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerBackups } from './commands/backups.command';
import { registerCompletion } from './commands/completion.command';
import { registerContext } from './commands/context.command';
import { registerDownload } from './commands/download.command';
import { registerJobs } from './commands/jobs.command';
import { registerLogs } from './commands/logs.command';
import { registerOperations } from './commands/operations.command';
import { registerReload } from './commands/reload.command';
import { registerSnapshots } from './commands/snapshots.command';
import { registerStatus } from './commands/status.command';
import { CliError, ExitCode } from './exit-codes';
import { actionExitCode } from './session';

function version(): string {
  // dist/cli/program.js and src/cli/program.ts both sit two folders below package.json
  const manifest = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  return manifest.version;
}

const ENVIRONMENT = `
Where to talk (first found): --url, --context NAME, HEN_BACKUP_URL, the current context, http://127.0.0.1:4000.
The token: --token, else the context's, else HEN_BACKUP_TOKEN.

Exit codes: 0 ok; 1 the job failed or was canceled; 2 usage or input error;
3 the job succeeded with warnings; 4 the daemon could not be reached or refused the token.`;

export function buildProgram(): Command {
  const program = new Command('henctl')
    .description('Talk to hen-backup daemons through their GraphQL API.')
    .version(version(), '-V, --version')
    .option('--url <url>', "the daemon's API address, e.g. http://127.0.0.1:4000")
    .option('--token <token>', 'the bearer token')
    .option('--context <name>', 'a context from the contexts file')
    .addHelpText('after', ENVIRONMENT)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'henctl: ')) });
  registerStatus(program);
  registerBackups(program);
  registerOperations(program);
  registerJobs(program);
  registerLogs(program);
  registerSnapshots(program);
  registerDownload(program);
  registerReload(program);
  registerContext(program);
  registerCompletion(program);
  // every subcommand turns usage errors into exit code 2 instead of exiting by itself
  const override = (command: Command) => {
    command.exitOverride().configureOutput(program.configureOutput());
    command.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

/** Runs henctl with `argv` (process.argv), prints any error as one line, returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return actionExitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and --version end in a CommanderError too, with exit code 0
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof CliError) {
      process.stderr.write(`henctl: ${error.message}${error.code ? ` (${error.code})` : ''}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`henctl: ${message.split('\n')[0]}\n`);
    return ExitCode.JOB_FAILED;
  }
}
