import type { Readable, Writable } from 'node:stream';
import type { ResticRunner } from '../restic-runner';
import type { ResticRunOptions, ResticTarget } from '../restic.types';

/**
 * Runs restic with its standard output piped into `output` as restic writes it, with
 * backpressure (a slow reader slows restic down, nothing is held whole). `output` is never ended
 * here: the caller ends it once this resolves, or destroys it when this rejects, so that a
 * failed run cannot pass for a complete output. Once the signal aborts, nobody reads the output
 * any more: restic's pipe is drained so that it can exit and remove its lock.
 */
export async function pipeStdout(
  restic: ResticRunner,
  target: ResticTarget,
  args: string[],
  output: Writable,
  opts: Omit<ResticRunOptions, 'onStdoutStream'> = {},
): Promise<void> {
  let stdout: Readable | undefined;
  const release = () => {
    stdout?.unpipe(output);
    stdout?.resume();
  };
  opts.signal?.addEventListener('abort', release, { once: true });
  try {
    await restic.run(target, args, {
      ...opts,
      onStdoutStream: (stream) => {
        stdout = stream;
        stream.pipe(output, { end: false });
      },
    });
  } finally {
    opts.signal?.removeEventListener('abort', release);
  }
}
