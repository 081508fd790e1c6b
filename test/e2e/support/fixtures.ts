import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `count` files of `size` random bytes (incompressible, so restic must upload them). */
export function writeRandomFiles(dir: string, count: number, size: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `file-${i}.bin`), randomBytes(size));
}

/** Runs the real restic on a repository, for assertions the API does not make itself. */
export function resticDirect(repository: string, password: string, args: string[]): string {
  return execFileSync(process.env.RESTIC_BIN ?? 'restic', ['-r', repository, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RESTIC_PASSWORD: password,
      RESTIC_CACHE_DIR: join(repository, '..', 'test-cache'),
    },
    encoding: 'utf8',
  });
}

/**
 * A restic that notes the arguments of each run, a line a run, then runs the real one: pass `bin`
 * as RESTIC_BIN; `calls` reads the lines so far.
 */
export function countingRestic(dir: string): { bin: string; calls: () => string[] } {
  const log = join(dir, 'restic-calls.log');
  const bin = join(dir, 'restic-counting');
  const restic = process.env.RESTIC_BIN || '/usr/bin/restic';
  writeFileSync(bin, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${restic}' "$@"\n`, { mode: 0o755 });
  const calls = () =>
    existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return { bin, calls };
}
