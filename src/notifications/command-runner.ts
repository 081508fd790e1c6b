import { Injectable } from '@nestjs/common';
import { ProcessRunner } from '../process/process-runner';

export interface CommandRun {
  /** argument vector; run without a shell */
  command: string[];
  env: Record<string, string>;
  stdin: string;
  signal: AbortSignal;
}

const MAX_OUTPUT = 2048;

/**
 * Runs a notification command through ProcessRunner: no shell, the event as JSON on stdin.
 * Succeeds on exit code 0 with the start of its output; aborting sends SIGTERM, then SIGKILL if
 * it lingers.
 */
@Injectable()
export class CommandRunner {
  constructor(private readonly processes: ProcessRunner) {}

  async run(run: CommandRun): Promise<string> {
    let output = '';
    const keep = (line: string) => {
      if (output.length < MAX_OUTPUT) output += `${line}\n`;
    };
    const { exitCode, signal, aborted } = await this.processes.run({
      command: run.command[0],
      args: run.command.slice(1),
      env: { ...definedEnv(process.env), ...run.env },
      stdin: run.stdin,
      signal: run.signal,
      cancelSignal: 'SIGTERM',
      killGraceMs: 5_000,
      onStdoutLine: keep,
      onStderrLine: keep,
    });
    const said = output.trim().slice(0, MAX_OUTPUT);
    if (aborted || run.signal.aborted) throw new Error('no answer in time');
    if (exitCode === 0) return said;
    throw new Error(`exit ${exitCode ?? signal}${said ? `: ${said}` : ''}`);
  }
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
