import type { Command } from 'commander';
import { normaliseUrl } from '../connection';
import { checkContextName, contextsPath, readContexts, writeContexts } from '../contexts';
import { CliError, ExitCode } from '../exit-codes';
import { renderTable } from '../output/table';
import { act, type Session } from '../session';

function mustExist(name: string, names: string[]): void {
  if (!names.includes(name)) {
    throw new CliError(`no context named "${name}" (see: henctl context list)`, ExitCode.USAGE);
  }
}

function add(session: Session, name: string, options: { use?: boolean }) {
  checkContextName(name);
  // --url and --token are the program's own options, which commander reads after any command
  const { url: given, token } = session.options;
  if (!given) throw new CliError('context add needs --url URL', ExitCode.USAGE);
  const url = normaliseUrl(given);
  const file = readContexts();
  const replaced = name in file.contexts;
  file.contexts[name] = { url, ...(token ? { token } : {}) };
  if (options.use || !file.current) file.current = name;
  writeContexts(file);
  session.terminal.write(
    `${replaced ? 'updated' : 'added'} context ${name} (${url})${file.current === name ? ', now current' : ''}\n`,
  );
  return 0;
}

function use(session: Session, name: string) {
  const file = readContexts();
  mustExist(name, Object.keys(file.contexts));
  file.current = name;
  writeContexts(file);
  session.terminal.write(`current context: ${name}\n`);
  return 0;
}

function remove(session: Session, name: string) {
  const file = readContexts();
  mustExist(name, Object.keys(file.contexts));
  delete file.contexts[name];
  if (file.current === name) delete file.current;
  writeContexts(file);
  session.terminal.write(`removed context ${name}\n`);
  return 0;
}

function list(session: Session) {
  const file = readContexts();
  // tokens stay in the file: a listing is something people paste
  const contexts = Object.entries(file.contexts).map(([name, c]) => ({
    name,
    url: c.url,
    current: name === file.current,
    hasToken: Boolean(c.token),
  }));
  if (session.options.json) {
    session.printJson({ file: contextsPath(), current: file.current ?? null, contexts });
    return 0;
  }
  session.terminal.write(
    renderTable(
      session.terminal,
      ['CURRENT', 'NAME', 'URL', 'TOKEN'],
      contexts.map((c) => [c.current ? '*' : '', c.name, c.url, c.hasToken ? 'yes' : 'no']),
    ),
  );
  return 0;
}

export function registerContext(program: Command): void {
  const context = program
    .command('context')
    .description(
      `named daemons to talk to, kept in ${contextsPath().replace(process.env.HOME ?? '\0', '~')}`,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  henctl context add laptop --url http://127.0.0.1:4000 --token "$TOKEN"\n  henctl context add nas --url http://nas.lan:4000 --token "$NAS_TOKEN"\n  henctl context use nas\n  henctl status --all',
    );
  context
    .command('add')
    .argument('<name>', 'a name for the daemon')
    .usage('<name> --url <url> [--token <token>] [--use]')
    .option('--use', 'make it the current context (the first one added always is)')
    .description(
      "add a context, or replace one of that name: --url is the daemon's API address, --token its bearer token if it has tokens",
    )
    .action(act(add));
  context
    .command('use')
    .argument('<name>', 'the context')
    .description('make a context the current one')
    .action(act(use));
  context
    .command('list')
    .description('the contexts, the current one marked with *')
    .option('--json', 'print them as JSON (without tokens)')
    .action(act(list));
  context
    .command('remove')
    .argument('<name>', 'the context')
    .description('forget a context')
    .action(act(remove));
}
