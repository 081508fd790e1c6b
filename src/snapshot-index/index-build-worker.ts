import { StringDecoder } from 'node:string_decoder';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { toLsNode } from '../restic/restic-browse-json';
import { parseJsonObject } from '../restic/restic-json';
import type { FromIndexBuild, IndexBuildData, ToIndexBuild } from './index-build-messages';
import { IndexBuilder } from './index-builder';
import { SnapshotIndexStore } from './snapshot-index-store';

/**
 * The indexing thread (started by IndexBuildThread): takes `restic ls --json` bytes as restic
 * writes them, builds the snapshot's folders and stores them on a connection of its own, so that
 * parsing, hashing and SQLite's writes run beside restic instead of taking turns with it on the
 * daemon's event loop.
 */
function serve(port: MessagePort, data: IndexBuildData): void {
  const store = SnapshotIndexStore.forBuilder(data.file);
  const builder = new IndexBuilder(store);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const reply = (message: FromIndexBuild) => port.postMessage(message);
  const takeLine = (line: string) => {
    const message = parseJsonObject(line);
    const node = message && toLsNode(message);
    if (node) builder.add(node);
  };
  const take = (text: string) => {
    let start = 0;
    let newline = text.indexOf('\n');
    if (pending !== '' && newline !== -1) {
      takeLine(pending + text.slice(0, newline));
      pending = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    for (; newline !== -1; newline = text.indexOf('\n', start)) {
      takeLine(text.slice(start, newline));
      start = newline + 1;
    }
    pending += text.slice(start);
  };
  port.on('message', (message: ToIndexBuild) => {
    try {
      if (message.type === 'chunk') {
        take(
          decoder.write(
            Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength),
          ),
        );
        reply({ type: 'taken', bytes: message.data.byteLength });
        return;
      }
      take(decoder.end());
      if (pending.trim() !== '') takeLine(pending);
      const built = builder.finish();
      store.close();
      reply({
        type: 'built',
        root: new Uint8Array(built.root),
        totals: built.totals,
        entryCount: built.entryCount,
        newFolders: built.newFolders,
      });
    } catch (error) {
      const failure = error as Error & { code?: unknown };
      store.close();
      reply({
        type: 'failed',
        name: failure?.name ?? 'Error',
        message: failure?.message ?? String(error),
        ...(typeof failure?.code === 'string' ? { code: failure.code } : {}),
      });
      port.close();
    }
  });
}

const data = workerData as { indexBuild?: IndexBuildData } | null;
if (parentPort && data?.indexBuild) serve(parentPort, data.indexBuild);
