import { isAbsolute } from 'node:path';
import type { Writable } from 'node:stream';
import { toLsNode } from '../restic-browse-json';
import { isJsonObject } from '../restic-json';
import type { ResticRunner } from '../restic-runner';
import { pipeStdout } from './pipe-stdout';
import type { ResticCallOptions, ResticLsNode, ResticTarget } from '../restic.types';

export interface LsOptions extends ResticCallOptions {
  /** list only this folder (absolute) and its direct children */
  folder?: string;
  /** the snapshot's full id, as soon as restic prints it, before any node */
  onSnapshot?: (fullId: string) => void;
}

/**
 * Streams `restic ls --json <snapshot>`: every node goes to onNode as its line arrives, so a
 * listing of millions of files is never held as text. Resolves with the snapshot's full id
 * ('' when no snapshot matches: restic 0.14 says so on stderr and exits 0), also given to
 * onSnapshot as soon as restic prints it, before any node.
 *
 * With `folder` (absolute), `restic ls --json <snapshot> -- <folder>`: without --recursive,
 * restic prints only that folder's node (none for "/" or a path not in the snapshot) and its
 * direct children, and walks no further than the path down to it.
 */
export async function ls(
  restic: ResticRunner,
  target: ResticTarget,
  snapshotId: string,
  onNode: (node: ResticLsNode) => void,
  opts: LsOptions = {},
): Promise<string> {
  const { folder, onSnapshot, ...callOpts } = opts;
  if (folder !== undefined && !isAbsolute(folder)) {
    throw new TypeError('a snapshot folder must be absolute');
  }
  let fullId = '';
  await restic.run(
    target,
    folder === undefined ? ['ls', snapshotId] : ['ls', snapshotId, '--', folder],
    {
      ...callOpts,
      json: true,
      onJson: (message) => {
        if (!isJsonObject(message)) return;
        if (message.struct_type === 'snapshot' || message.message_type === 'snapshot') {
          if (typeof message.id === 'string') {
            fullId = message.id;
            onSnapshot?.(fullId);
          }
          return;
        }
        const node = toLsNode(message);
        if (node) onNode(node);
      },
    },
  );
  return fullId;
}

/**
 * `restic ls --json <snapshot>` as raw bytes into `output` (JSON lines, never parsed here), with
 * backpressure: a slow reader slows restic down. For a reader elsewhere (the index builds in a
 * worker thread, beside restic rather than after it). `output` is not ended here: the caller
 * ends it once this resolves. restic 0.14 exits 0 with nothing but a message on stderr when no
 * snapshot matches: the reader sees no snapshot line then.
 */
export function lsJson(
  restic: ResticRunner,
  target: ResticTarget,
  snapshotId: string,
  output: Writable,
  opts: ResticCallOptions = {},
): Promise<void> {
  return pipeStdout(restic, target, ['ls', snapshotId], output, { ...opts, json: true });
}

/**
 * The node at `path` in a snapshot, from `restic ls --json <snapshot> <path>`, which lists only
 * that path and, for a folder, its direct children (never the whole tree). `snapshotId` is the
 * full id, or '' when no snapshot matches (restic 0.14 says so on stderr and exits 0); `node` is
 * null when the path is not in the snapshot, and for the root "/", which has no node.
 */
export async function findNode(
  restic: ResticRunner,
  target: ResticTarget,
  snapshotId: string,
  path: string,
  opts: ResticCallOptions = {},
): Promise<{ snapshotId: string; node: ResticLsNode | null }> {
  if (!isAbsolute(path)) throw new TypeError('a snapshot path must be absolute');
  let fullId = '';
  let node: ResticLsNode | null = null;
  await restic.run(target, ['ls', '--', snapshotId, path], {
    ...opts,
    json: true,
    onJson: (message) => {
      if (!isJsonObject(message)) return;
      if (message.struct_type === 'snapshot' || message.message_type === 'snapshot') {
        if (typeof message.id === 'string') fullId = message.id;
        return;
      }
      const found = toLsNode(message);
      if (found && found.path === path) node = found;
    },
  });
  return { snapshotId: fullId, node };
}
