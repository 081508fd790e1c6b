import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { passThroughEnv } from '../../src/restic/restic-command';

/**
 * Runs restic to its end, reading its output as the daemon would; resolves to the last 64 KiB of
 * its stdout, rejects on a failure. Awaited, not synchronous: the benchmark's own sockets and
 * timers go on meanwhile.
 */
export async function resticRun(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.env.RESTIC_BIN?.trim() || 'restic', args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout = (stdout + chunk).slice(-65536);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`restic ${args.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

/**
 * The environment the daemon gives restic (its pass-through variables, a cache and a TMPDIR of
 * its own, progress 4 times a second) for bare restic on `repository`, the cache and TMPDIR made
 * under `stateDir`.
 */
export function bareResticEnv(
  stateDir: string,
  repository: string,
  password: string,
): Record<string, string> {
  mkdirSync(join(stateDir, 'cache'), { recursive: true });
  mkdirSync(join(stateDir, 'tmp'), { recursive: true });
  return {
    ...passThroughEnv(process.env),
    RESTIC_CACHE_DIR: join(stateDir, 'cache'),
    TMPDIR: join(stateDir, 'tmp'),
    RESTIC_PASSWORD: password,
    RESTIC_REPOSITORY: repository,
    RESTIC_PROGRESS_FPS: '4',
  };
}
