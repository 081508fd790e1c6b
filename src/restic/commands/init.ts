import { ResticError } from '../restic-error';
import { parseJsonObject } from '../restic-json';
import type { ResticRunner } from '../restic-runner';
import type { ResticCallOptions, ResticLogLine, ResticTarget } from '../restic.types';

export async function init(
  restic: ResticRunner,
  target: ResticTarget,
  opts: ResticCallOptions = {},
): Promise<void> {
  await restic.run(target, ['init'], opts);
}

/**
 * The repository's own id (from its config file), which stays the same wherever it is reached
 * from; null when no repository is at the location. A wrong password or an unreachable backend
 * rejects.
 */
export async function repositoryId(
  restic: ResticRunner,
  target: ResticTarget,
  opts: ResticCallOptions = {},
): Promise<string | null> {
  // restic's "Fatal: unable to open config file" is the expected answer for a new repository,
  // not an error to log: its lines are passed on only when they say something else
  const lines: ResticLogLine[] = [];
  const passOn = () => lines.forEach((line) => opts.onLog?.(line));
  const stdout: string[] = [];
  try {
    await restic.run(target, ['cat', 'config'], {
      ...opts,
      onLog: (line) => lines.push(line),
      onStdoutLine: (line) => stdout.push(line),
    });
  } catch (error) {
    if (error instanceof ResticError && error.code === 'REPOSITORY_NOT_FOUND') return null;
    passOn();
    throw error;
  }
  passOn();
  const config = parseJsonObject(stdout.join('\n'));
  if (!config || typeof config.id !== 'string' || config.id === '') {
    throw new ResticError(
      'RESTIC_FAILED',
      `restic cat config for repository ${JSON.stringify(target.name)} printed no repository id`,
      { repository: target.name },
    );
  }
  return config.id;
}
