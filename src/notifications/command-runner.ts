import { Injectable } from '@nestjs/common';
import { spawn } from 'node:child_process';

export interface CommandRun {
  /** argument vector; run without a shell */
  command: string[];
  env: Record<string, string>;
  stdin: string;
  signal: AbortSignal;
}

const MAX_OUTPUT = 2048;

/**
 * Runs a notification command: no shell, the event as JSON on stdin. Succeeds on exit code 0 with
 * the start of its output; aborting sends SIGTERM, then SIGKILL if it lingers.
 */
@Injectable()
export class CommandRunner {
  run(run: CommandRun): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(run.command[0], run.command.slice(1), {
        env: { ...process.env, ...run.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      const keep = (chunk: Buffer) => {
        if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.stdin.on('error', () => undefined); // a command that does not read its input
      child.stdin.end(run.stdin);
      let killer: NodeJS.Timeout | undefined;
      const abort = () => {
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        killer.unref();
      };
      run.signal.addEventListener('abort', abort, { once: true });
      child.once('error', (error) => {
        run.signal.removeEventListener('abort', abort);
        reject(error);
      });
      child.once('close', (code, signal) => {
        run.signal.removeEventListener('abort', abort);
        if (killer) clearTimeout(killer);
        const said = output.trim().slice(0, MAX_OUTPUT);
        if (run.signal.aborted) reject(new Error('no answer in time'));
        else if (code === 0) resolve(said);
        else reject(new Error(`exit ${code ?? signal}${said ? `: ${said}` : ''}`));
      });
    });
  }
}
