import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite's quick_check on a read-only connection of its own, in a worker thread, so that a
 * large state file is checked without the event loop (jobs, queries) waiting for it: in WAL mode
 * the check reads a snapshot and blocks no writer. Resolves with "ok" or SQLite's first problem.
 */
export function quickCheckInWorker(file: string, signal?: AbortSignal): Promise<string> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
    try {
      parentPort.postMessage(String(db.pragma('quick_check(1)', { simple: true })));
    } finally {
      db.close();
    }`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, {
      eval: true,
      workerData: { file, module: require.resolve('better-sqlite3') },
    });
    const stop = () => void worker.terminate();
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('message', (result: string) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', stop);
      reject(new Error(`the integrity check stopped (exit ${code})`));
    });
  });
}
