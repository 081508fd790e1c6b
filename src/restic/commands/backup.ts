import { isAbsolute } from 'node:path';
import { maskSecrets } from '../mask';
import { ResticError } from '../restic-error';
import {
  describeErrorMessage,
  isJsonObject,
  toBackupProgress,
  toBackupResult,
} from '../restic-json';
import { WarningList } from '../restic-output';
import type { ResticRunner } from '../restic-runner';
import type { BackupOptions, BackupRequest, BackupResult, ResticTarget } from '../restic.types';
import { fullSnapshotIdFromCache } from '../snapshot-id-from-cache';
import { resolveSnapshotId } from './snapshots';

export async function backup(
  restic: ResticRunner,
  target: ResticTarget,
  req: BackupRequest,
  opts: BackupOptions = {},
): Promise<BackupResult> {
  if (req.paths.length === 0) throw new TypeError('a backup needs at least one path');
  const relative = req.paths.filter((p) => !isAbsolute(p));
  if (relative.length > 0) {
    // restic records relative paths as given, which makes odd snapshot trees
    throw new TypeError(`backup paths must be absolute: ${relative.join(', ')}`);
  }
  const args = ['backup', `--host=${req.host}`];
  for (const exclude of req.excludes) args.push(`--exclude=${exclude}`);
  for (const tag of req.tags) args.push(`--tag=${tag}`);
  args.push('--', ...req.paths);

  const secrets = restic.secretsFor(target);
  const warnings = new WarningList();
  let summary: Record<string, unknown> | undefined;
  // wall clock on purpose: compared with the cache file's mtime (see fullSnapshotIdFromCache)
  const startedAt = Date.now() - 1000;
  const { exitCode } = await restic.run(target, args, {
    ...opts,
    json: true,
    allowPartial: true,
    onJson: (message) => {
      if (!isJsonObject(message)) return;
      switch (message.message_type) {
        case 'status':
          opts.onProgress?.(toBackupProgress(message));
          break;
        case 'error':
          warnings.add(maskSecrets(describeErrorMessage(message), secrets));
          break;
        case 'summary':
          summary = message;
          break;
      }
    },
    onStderrLine: (line) => {
      if (/does not exist, skipping$/.test(line)) warnings.add(maskSecrets(line, secrets));
    },
  });
  if (exitCode === 3 && warnings.items.length === 0) {
    warnings.add('at least one source file could not be read');
  }
  const shortId = summary && typeof summary.snapshot_id === 'string' ? summary.snapshot_id : '';
  if (!summary || !shortId) {
    throw new ResticError(
      'RESTIC_FAILED',
      `restic backup to repository ${JSON.stringify(target.name)} reported no snapshot`,
      { exitCode, repository: target.name },
    );
  }
  const snapshotId =
    fullSnapshotIdFromCache(restic.cacheDir(), shortId, startedAt) ??
    (await resolveSnapshotId(restic, target, shortId, opts));
  return toBackupResult(summary, snapshotId, exitCode === 3, warnings.list());
}
