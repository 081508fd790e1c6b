/**
 * Hook runners for unit tests that answer by what the hook names, so a test's config reads as
 * its script: command [true] succeeds, [false] exits 1, [hang] waits for the job to stop, [throw]
 * throws; an http URL ending in /500 answers 500, any other succeeds. Every run is recorded.
 */
import type { CommandHook, HookConfig, HttpHook } from '../../src/config/config.types';
import type { CommandHookRunner } from '../../src/backups/hooks/command-hook-runner';
import type { HookInvocation, HookResult } from '../../src/backups/hooks/hook.types';
import type { HttpHookRunner } from '../../src/backups/hooks/http-hook-runner';

export class ScriptedHooks {
  readonly runs: { hook: HookConfig; run: HookInvocation }[] = [];

  readonly http = {
    run: (hook: HttpHook, run: HookInvocation): Promise<HookResult> => {
      this.runs.push({ hook, run });
      const status = /\/(\d{3})$/.exec(hook.url)?.[1];
      return Promise.resolve(status ? { ok: false, reason: `status ${status}` } : { ok: true });
    },
  } as unknown as HttpHookRunner;

  readonly commands = {
    run: (hook: CommandHook, run: HookInvocation): Promise<HookResult> => {
      this.runs.push({ hook, run });
      run.log('info', `ran ${hook.command.join(' ')}`, 'stdout');
      switch (hook.command[0]) {
        case 'false':
          return Promise.resolve({ ok: false, reason: 'exited with code 1' });
        case 'throw':
          return Promise.reject(new Error('unexpected'));
        case 'hang':
          return new Promise((resolve) =>
            run.signal.addEventListener('abort', () =>
              resolve({ ok: false, reason: 'stopped with the job' }),
            ),
          );
        default:
          return Promise.resolve({ ok: true });
      }
    },
  } as unknown as CommandHookRunner;
}

export function command(program: string, overrides: Partial<CommandHook> = {}): CommandHook {
  return {
    type: 'command',
    command: [program],
    env: {},
    timeoutMs: 1000,
    onFailure: 'break',
    when: 'always',
    ...overrides,
  };
}

export function http(url: string, overrides: Partial<HttpHook> = {}): HttpHook {
  return {
    type: 'http',
    url,
    method: 'POST',
    headers: {},
    retries: 0,
    expectedStatus: [],
    timeoutMs: 1000,
    onFailure: 'break',
    when: 'always',
    ...overrides,
  };
}
