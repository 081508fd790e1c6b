/**
 * A fake of ResticService's `ls`, `lsJson` and `snapshots` over one snapshot's tree, for unit
 * specs of browsing and indexing: it answers as restic 0.14 does (a folder run gives the folder's
 * own node and its direct children; a whole run every node, depth first; `lsJson` the whole run as
 * restic's JSON lines, as the indexing thread reads them) and notes every run.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ResticService } from '../../src/repositories/restic.service';
import type { ResticLsNode, ResticSnapshot } from '../../src/restic/restic.types';

export interface FakeLsRun {
  /** the snapshot id as given */
  id: string;
  /** the folder of a folder run; undefined for a whole listing */
  folder?: string;
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';

export const lsNode = (
  path: string,
  type: string,
  size = type === 'file' ? 3 : 0,
): ResticLsNode => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  path,
  type,
  size,
  mtime: '2026-01-01T00:00:00Z',
  mode: 0o644,
});

export class FakeResticLs {
  readonly runs: FakeLsRun[] = [];
  /** runs fail with this error while it is set */
  failure?: Error;
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  /** `tree`: every node of the snapshot, in the order restic walks it */
  constructor(
    readonly snapshot: ResticSnapshot,
    readonly tree: ResticLsNode[],
  ) {}

  /** Runs wait until `open` is called. */
  close(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  /** the folders of the folder runs so far, in order */
  folderRuns(): (string | undefined)[] {
    return this.runs.filter((run) => run.folder !== undefined).map((run) => run.folder);
  }

  wholeRuns(): number {
    return this.runs.filter((run) => run.folder === undefined).length;
  }

  /** A ResticService that has only `ls`, `lsJson` and `snapshots`, answered by this fake. */
  service(): ResticService {
    return {
      ls: (
        _target: unknown,
        id: string,
        onNode: (node: ResticLsNode) => void,
        opts: { folder?: string } = {},
      ) => this.ls(id, onNode, opts.folder),
      lsJson: async (_target: unknown, id: string, output: Writable) => {
        const lines: string[] = [];
        const found = await this.ls(
          id,
          (node) => lines.push(JSON.stringify({ struct_type: 'node', ...node })),
          undefined,
        );
        if (found) lines.unshift(JSON.stringify({ struct_type: 'snapshot', id: found }));
        for (const line of lines) {
          if (!output.write(`${line}\n`)) await once(output, 'drain');
        }
      },
      snapshots: () => Promise.resolve([{ ...this.snapshot }]),
    } as unknown as ResticService;
  }

  private async ls(
    id: string,
    onNode: (node: ResticLsNode) => void,
    folder: string | undefined,
  ): Promise<string> {
    this.runs.push({ id, folder });
    await this.gate;
    if (this.failure) throw this.failure;
    // restic answers an unknown snapshot with no node and no snapshot line
    if (!this.snapshot.id.startsWith(id)) return '';
    for (const node of this.tree) {
      if (folder === undefined || node.path === folder || parentOf(node.path) === folder) {
        onNode(node);
      }
    }
    return this.snapshot.id;
  }
}
