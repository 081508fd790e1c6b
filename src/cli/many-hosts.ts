import type { ApiClient } from './api-client';
import type { Target } from './connection';
import { CliError, ExitCode } from './exit-codes';
import type { Session } from './session';

export interface HostResult<T> {
  target: Target;
  value: T;
}

/**
 * Runs `read` on the daemon the options name, or with `--all` on every context at once. A host
 * that fails under `--all` is reported on stderr (one line) and the others are still shown; the
 * exit code is then the first failure's.
 */
export async function readEveryHost<T>(
  session: Session,
  read: (client: ApiClient) => Promise<T>,
): Promise<{ results: HostResult<T>[]; exitCode: number }> {
  const targets = session.targets();
  if (!session.options.all) {
    const target = targets[0];
    return { results: [{ target, value: await read(session.client(target)) }], exitCode: 0 };
  }
  const settled = await Promise.allSettled(targets.map((t) => read(session.client(t))));
  const results: HostResult<T>[] = [];
  let exitCode: number = ExitCode.OK;
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') {
      results.push({ target: targets[i], value: outcome.value });
      return;
    }
    const error = outcome.reason as unknown;
    if (!(error instanceof CliError)) throw error;
    const code = error.code ? ` (${error.code})` : '';
    process.stderr.write(`henctl: ${targets[i].name}: ${error.message}${code}\n`);
    if (exitCode === ExitCode.OK) exitCode = error.exitCode;
  });
  return { results, exitCode };
}

/** `--json` with `--all`: `{ "<context>": data, ... }`; without: the data itself. */
export function jsonOfHosts<T>(session: Session, results: HostResult<T>[]): unknown {
  if (!session.options.all) return results[0]?.value;
  return Object.fromEntries(results.map((r) => [r.target.name, r.value]));
}

/** Table rows of every host, with the host name first under `--all`. */
export function hostRows<T>(
  session: Session,
  results: HostResult<T>[],
  rows: (value: T) => string[][],
): string[][] {
  return results.flatMap((r) =>
    rows(r.value).map((row) => (session.options.all ? [r.target.name, ...row] : row)),
  );
}

export function hostHead(session: Session, head: string[]): string[] {
  return session.options.all ? ['HOST', ...head] : head;
}
