import { isAbsolute } from 'node:path';
import { maskSecrets } from '../mask';
import { toRestoreProgress } from '../restic-browse-json';
import { ResticError } from '../restic-error';
import { describeErrorMessage, isJsonObject } from '../restic-json';
import { WarningList } from '../restic-output';
import type { ResticRunner } from '../restic-runner';
import type {
  ResticTarget,
  RestoreOptions,
  RestoreProgress,
  RestoreRequest,
  RestoreResult,
} from '../restic.types';

/**
 * `restic restore <snapshot> --target T`. restic ≥ 0.16 prints JSON status with `--json`,
 * passed to onProgress; 0.14 prints none. Errors restic ignored while restoring (it exits 1 at
 * the end) reject with their messages.
 */
export async function restore(
  restic: ResticRunner,
  target: ResticTarget,
  req: RestoreRequest,
  opts: RestoreOptions = {},
): Promise<RestoreResult> {
  if (!isAbsolute(req.target)) throw new TypeError('a restore target must be absolute');
  const args = ['restore', req.snapshotId, `--target=${req.target}`];
  for (const include of req.include) args.push(`--include=${include}`);
  for (const exclude of req.exclude) args.push(`--exclude=${exclude}`);
  const secrets = restic.secretsFor(target);
  const errors = new WarningList();
  let summary: RestoreProgress | null = null;
  try {
    await restic.run(target, args, {
      ...opts,
      json: true,
      onJson: (message) => {
        if (!isJsonObject(message)) return;
        if (message.message_type === 'status') opts.onProgress?.(toRestoreProgress(message));
        else if (message.message_type === 'summary') summary = toRestoreProgress(message);
        else if (message.message_type === 'error') {
          errors.add(maskSecrets(describeErrorMessage(message), secrets));
        }
      },
      onStderrLine: (line) => {
        const ignored = /^ignoring error for (.*)$/.exec(line);
        if (ignored) errors.add(maskSecrets(ignored[1], secrets));
      },
    });
  } catch (error) {
    if (error instanceof ResticError && error.code !== 'CANCELED' && errors.items.length > 0) {
      const list = errors.list();
      const shown = list.slice(0, 5).join('; ');
      throw new ResticError(
        'RESTIC_FAILED',
        `restic restore of snapshot ${req.snapshotId} left ${list.length} errors: ${shown}${list.length > 5 ? '; …' : ''}`,
        { exitCode: error.exitCode, detail: error.detail, repository: target.name, cause: error },
      );
    }
    throw error;
  }
  return { summary };
}
