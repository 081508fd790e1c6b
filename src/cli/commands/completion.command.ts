import tabtab, { type CompletionItem } from '@pnpm/tabtab';
import { Argument, type Command } from 'commander';
import { readContexts } from '../contexts';
import { act, type Session } from '../session';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

async function script(session: Session, shell: Shell): Promise<number> {
  // the script calls `henctl completion-server` at each Tab press
  session.terminal.write(
    await tabtab.getCompletionScript({ name: 'henctl', completer: 'henctl', shell }),
  );
  return 0;
}

/** Options that take a value, whose next word is that value rather than a command. */
function takesValue(command: Command, word: string): boolean {
  const option = command.options.find((o) => o.long === word || o.short === word);
  return Boolean(option && (option.required || option.optional));
}

function contextNames(): CompletionItem[] {
  try {
    return Object.entries(readContexts().contexts).map(([name, c]) => ({
      name,
      description: c.url,
    }));
  } catch {
    return [];
  }
}

/**
 * The words that may come at the cursor: subcommands, then options of the command reached, and
 * context names where one is expected. Everything comes from the commander definitions.
 */
export function completions(program: Command, partial: string): CompletionItem[] {
  const words = partial.split(/\s+/).slice(1);
  const current = words.pop() ?? '';
  let command = program;
  let previous = '';
  for (const word of words) {
    const sub = command.commands.find(
      (c) => c.name() === word && !(c as unknown as { _hidden: boolean })._hidden,
    );
    if (sub && !previous.startsWith('-')) command = sub;
    previous = takesValue(command, word) || takesValue(program, word) ? word : '';
  }
  let items: CompletionItem[];
  if (
    previous === '--context' ||
    (command.parent?.name() === 'context' && ['use', 'remove'].includes(command.name()))
  ) {
    items = contextNames();
  } else if (previous) {
    return [];
  } else if (current.startsWith('-')) {
    items = [...command.options, ...(command === program ? [] : program.options)]
      .filter((o) => o.long)
      .map((o) => ({ name: o.long!, description: o.description }));
  } else if (command.name() === 'completion') {
    items = SHELLS.map((name) => ({ name }));
  } else {
    items = command.commands
      .filter((c) => !(c as unknown as { _hidden: boolean })._hidden)
      .map((c) => ({ name: c.name(), description: c.description() }));
  }
  return items.filter((item) => item.name.startsWith(current));
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .description('print the shell completion script')
    .addHelpText(
      'after',
      '\nExamples:\n  henctl completion bash > ~/.local/share/bash-completion/completions/henctl\n  henctl completion zsh > "${fpath[1]}/_henctl"\n  henctl completion fish > ~/.config/fish/completions/henctl.fish',
    )
    .action(act(script));

  program
    .command('completion-server', { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[words...]')
    .action(() => {
      const env = tabtab.parseEnv(process.env);
      const shell = tabtab.getShellFromEnv(process.env);
      tabtab.log(completions(program, env.partial), shell);
    });
}
