import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { Clock } from '../common/clock';
import { LiveConfig } from '../config/live-config';
import { combineLimits } from '../config/limits';
import { RepositoriesService } from '../repositories/repositories.service';
import { SnapshotRefs } from '../snapshots/snapshot-refs';
import { ResticService } from '../repositories/restic.service';
import {
  CONTENT_TYPES,
  DownloadRequestError,
  downloadFilename,
  normaliseDownloadPath,
  type DownloadFormatName,
} from './download-request';
import { DownloadTokenStore, type TakeResult } from './download-token-store';
import { DOWNLOAD_TTL_MS } from './download-ttl';

export const DOWNLOADS_PATH = '/downloads';

/** What a link serves, fixed when it is made. */
export interface PendingDownload {
  repository: string;
  /** full id */
  snapshotId: string;
  path: string;
  format: DownloadFormatName;
  filename: string;
  contentType: string;
  /** bytes of a file; null for archives */
  size: number | null;
  /** the token name of whoever asked, for the log */
  requestedBy: string;
}

export interface CreatedDownload {
  url: string;
  expiresAt: string;
  download: PendingDownload;
}

/**
 * Download links for files and folders of snapshots: made through GraphQL (after checking that
 * the path exists and is of the right kind), served once over plain HTTP by `restic dump`.
 */
@Injectable()
export class DownloadsService implements OnModuleDestroy {
  private readonly logger = new Logger('Downloads');
  private readonly store: DownloadTokenStore<PendingDownload>;
  private readonly active = new Set<AbortController>();

  constructor(
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
    private readonly refs: SnapshotRefs,
    clock: Clock,
    @Inject(DOWNLOAD_TTL_MS) ttlMs: number,
  ) {
    this.store = new DownloadTokenStore(clock, ttlMs);
  }

  async create(
    repository: string,
    snapshot: string,
    path: string,
    format: DownloadFormatName,
    requestedBy: string,
  ): Promise<CreatedDownload> {
    const normal = normaliseDownloadPath(path);
    this.repositories.get(repository);
    const id = await this.refs.toId(repository, snapshot);
    const found = await this.restic.findNode(this.repositories.target(repository), id, normal, {
      limits: this.limitsOf(repository),
    });
    if (!found.snapshotId) {
      throw new DownloadRequestError(
        'NOT_FOUND',
        `no snapshot "${id}" in repository "${repository}" (or the prefix names several)`,
      );
    }
    const type = normal === '/' ? 'dir' : found.node?.type;
    if (!type) {
      throw new DownloadRequestError(
        'NOT_FOUND',
        `no "${normal}" in snapshot ${found.snapshotId.slice(0, 8)}`,
      );
    }
    if (format === 'FILE' && type !== 'file') {
      throw new DownloadRequestError(
        'BAD_USER_INPUT',
        `"${normal}" is a ${type === 'dir' ? 'folder' : type}: FILE downloads take a regular file; use TAR or ZIP for a folder`,
      );
    }
    if (format !== 'FILE' && type !== 'dir') {
      throw new DownloadRequestError(
        'BAD_USER_INPUT',
        `"${normal}" is not a folder (it is a ${type}): ${format} downloads take a folder; use FILE for a file`,
      );
    }
    const filename = downloadFilename(normal, format, found.snapshotId);
    const download: PendingDownload = {
      repository,
      snapshotId: found.snapshotId,
      path: normal,
      format,
      filename,
      contentType: CONTENT_TYPES[format],
      size: format === 'FILE' ? (found.node?.size ?? null) : null,
      requestedBy,
    };
    const { token, expiresAt } = this.store.issue(download);
    this.logger.log({
      msg: 'download link created',
      repository,
      snapshotId: download.snapshotId,
      path: normal,
      format,
      by: requestedBy,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    return {
      url: `${DOWNLOADS_PATH}/${token}`,
      expiresAt: new Date(expiresAt).toISOString(),
      download,
    };
  }

  /** The download behind a link, once; see DownloadTokenStore.take. */
  take(token: string): TakeResult<PendingDownload> {
    return this.store.take(token);
  }

  /** See DownloadTokenStore.giveBack. */
  giveBack(token: string, download: PendingDownload): boolean {
    return this.store.giveBack(token, download);
  }

  /**
   * Runs `restic dump` into `output` (not ended: see ResticService.dump). Aborting `signal` (the
   * client went away) or stopping the daemon sends restic SIGINT.
   */
  async stream(download: PendingDownload, output: Writable, signal: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    this.active.add(controller);
    try {
      await this.restic.dump(
        this.repositories.target(download.repository),
        {
          snapshotId: download.snapshotId,
          path: download.path,
          archive:
            download.format === 'ZIP' ? 'zip' : download.format === 'TAR' ? 'tar' : undefined,
        },
        output,
        {
          signal: controller.signal,
          limits: this.limitsOf(download.repository),
          killGraceMs: 10_000,
          onLog: (line) => {
            if (line.level !== 'info') {
              this.logger.warn({
                msg: `restic dump: ${line.text}`,
                repository: download.repository,
              });
            }
          },
        },
      );
    } finally {
      signal.removeEventListener('abort', abort);
      this.active.delete(controller);
    }
  }

  /** Stopping the daemon stops running downloads, so that restic removes its lock. */
  onModuleDestroy(): void {
    for (const controller of this.active) controller.abort();
  }

  private limitsOf(repository: string) {
    return combineLimits(this.config.current.limits, this.repositories.get(repository).limits);
  }
}
