import { isAbsolute } from 'node:path';
import type { Writable } from 'node:stream';
import type { ResticRunner } from '../restic-runner';
import { pipeStdout } from './pipe-stdout';
import type { DumpRequest, ResticCallOptions, ResticTarget } from '../restic.types';

/**
 * Streams `restic dump <snapshot> <path>` into `output` as restic writes it: a file as its
 * bytes, a folder as a tar or zip archive (both exist in 0.14). Backpressure holds: a slow
 * reader slows restic down, and nothing is held whole. `output` is never ended here: the caller
 * ends it once this resolves, or destroys it when this rejects, so that a failed dump cannot
 * pass for a complete one. Aborting the signal sends restic SIGINT.
 */
export async function dump(
  restic: ResticRunner,
  target: ResticTarget,
  req: DumpRequest,
  output: Writable,
  opts: ResticCallOptions = {},
): Promise<void> {
  if (!isAbsolute(req.path)) throw new TypeError('a dump path must be absolute');
  const args = ['dump', ...(req.archive ? [`--archive=${req.archive}`] : [])];
  args.push('--', req.snapshotId, req.path);
  await pipeStdout(restic, target, args, output, opts);
}
