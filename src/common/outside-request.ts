import { storage } from 'nestjs-pino/storage';

/**
 * Runs `work` outside the request being served, if any. nestjs-pino keeps a request's logger
 * (and its reqId) in AsyncLocalStorage, which every timer, promise and child process started
 * within inherits: a schedule set up by a reloadConfig request, or a job a runBackup request
 * started, would log with that request's id for ever after.
 */
export function outsideRequest<T>(work: () => T): T {
  return storage.exit(work);
}
