import type { Command } from 'commander';
import { ApiClient } from './api-client';
import { allTargets, resolveTarget, type ConnectionOptions, type Target } from './connection';
import { ExitCode } from './exit-codes';
import { stdoutTerminal, type Terminal } from './output/terminal';

export interface GlobalOptions extends ConnectionOptions {
  json?: boolean;
  all?: boolean;
}

/** What one command run has: its options, stdout, and the clients it opened (closed at the end). */
export class Session {
  readonly terminal: Terminal = stdoutTerminal();
  private readonly opened: ApiClient[] = [];

  constructor(readonly options: GlobalOptions) {}

  client(target: Target = resolveTarget(this.options)): ApiClient {
    const client = new ApiClient(target);
    this.opened.push(client);
    return client;
  }

  /** `--all`: every context; else the one daemon the options name. */
  targets(): Target[] {
    return this.options.all ? allTargets() : [resolveTarget(this.options)];
  }

  printJson(value: unknown): void {
    this.terminal.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  async close(): Promise<void> {
    await Promise.all(this.opened.map((client) => client.close()));
  }
}

let lastExitCode: number = ExitCode.OK;

/** The exit code the last action asked for (commander's parseAsync does not carry one). */
export function actionExitCode(): number {
  return lastExitCode;
}

/**
 * Wraps a command's handler: builds its session from the options (with the program's global
 * ones), runs it, keeps its exit code, and closes its connections.
 */
export function act<A extends unknown[]>(
  handler: (session: Session, ...args: A) => Promise<number | void> | number | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const session = new Session(command.optsWithGlobals<GlobalOptions>());
    try {
      lastExitCode = (await handler(session, ...args)) ?? ExitCode.OK;
    } finally {
      await session.close();
    }
  };
}
