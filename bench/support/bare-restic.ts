import { spawnSync } from 'node:child_process';

/**
 * The bare restic a benchmark compares the daemon with, on the repository `env` names: runs one
 * command to its end and gives its stdout, or throws with the end of its stderr.
 */
export function bareRestic(binary: string, env: NodeJS.ProcessEnv): (...args: string[]) => string {
  return (...args: string[]) => {
    const result = spawnSync(binary, args, {
      env: { ...process.env, ...env },
      maxBuffer: 2 * 1024 ** 3,
    });
    if (result.status !== 0) {
      throw new Error(`restic ${args.join(' ')} failed: ${result.stderr.toString().slice(-2000)}`);
    }
    return result.stdout.toString();
  };
}
