import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { SecretScrubber } from '../common/secret-scrubber';
import { ResticError } from '../restic/restic-error';
import { contentDisposition } from './download-request';
import { DownloadsService, type PendingDownload } from './downloads.service';

const REFUSED = {
  unknown: [404, 'this download link is not valid'],
  used: [410, 'this download link was already used; create a new download'],
  expired: [410, 'this download link has expired; create a new download'],
} as const;

/** A download whose client reads nothing for this long is dropped. */
const IDLE_TIMEOUT_MS = 10 * 60_000;

/** Headers every answer here carries: nothing cached, sniffed, rendered or referred. */
const SAFE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; sandbox",
};

/**
 * GET /downloads/<token>: the one HTTP route besides /graphql and health/metrics. No bearer
 * token: the link's own token is the credential, good once, for a few minutes. The path (which
 * holds the token) is never logged.
 */
@Controller('downloads')
export class DownloadsController {
  private readonly logger = new Logger('Downloads');

  constructor(
    private readonly downloads: DownloadsService,
    private readonly scrubber: SecretScrubber,
  ) {}

  @Get(':token')
  async download(
    @Param('token') token: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    // a HEAD (a link preview, a proxy's probe) must not spend the single use
    if (req.method !== 'GET') {
      res.writeHead(405, { ...SAFE_HEADERS, allow: 'GET', 'content-type': 'text/plain' });
      res.end('use GET\n');
      return;
    }
    const taken = this.downloads.take(token);
    if (taken.status !== 'ok') {
      const [status, message] = REFUSED[taken.status];
      this.logger.warn({ msg: `download refused: link ${taken.status}`, status });
      sendText(res, status, message);
      return;
    }
    await this.serve(token, taken.download, res);
  }

  private async serve(
    token: string,
    download: PendingDownload,
    res: ServerResponse,
  ): Promise<void> {
    const controller = new AbortController();
    // the client went away before the end: stop restic (SIGINT, so it removes its lock)
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    // a client that stops reading without closing must not hold the download open forever
    res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy());
    const startedAt = Date.now();
    let bytes = 0;
    // headers wait for restic's first bytes, so that a failure before them is a real HTTP error
    const start = () => {
      if (res.headersSent) return;
      res.writeHead(200, {
        ...SAFE_HEADERS,
        'content-type': download.contentType,
        'content-disposition': contentDisposition(download.filename),
        ...(download.size !== null ? { 'content-length': String(download.size) } : {}),
      });
    };
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        start();
        bytes += chunk.length;
        if (res.write(chunk)) callback();
        else res.once('drain', () => callback());
      },
    });
    const what = {
      repository: download.repository,
      snapshotId: download.snapshotId,
      path: download.path,
      format: download.format,
    };
    this.logger.log({ msg: 'download started', ...what, by: download.requestedBy });
    try {
      await this.downloads.stream(download, sink, controller.signal);
      start();
      res.end();
      this.logger.log({
        msg: 'download finished',
        ...what,
        bytes,
        durationMs: Date.now() - startedAt,
      });
    } catch (error) {
      const canceled = error instanceof ResticError && error.code === 'CANCELED';
      const message = this.scrubber.scrub(error instanceof Error ? error.message : String(error));
      if (canceled && controller.signal.aborted && res.destroyed) {
        this.logger.warn({ msg: 'download abandoned by the client', ...what, bytes });
        return;
      }
      this.logger.error({ msg: `download failed: ${message}`, ...what, bytes });
      if (!res.headersSent) {
        const status =
          error instanceof ResticError
            ? error.code === 'REPOSITORY_LOCKED'
              ? 409
              : error.code === 'BACKEND_UNREACHABLE'
                ? 502
                : error.code === 'CANCELED'
                  ? 503
                  : 500
            : 500;
        // Nothing was sent: the link is not spent, the person can try again once the cause is gone.
        const retry = this.downloads.giveBack(token, download)
          ? '; the link can be used again until it expires'
          : '';
        sendText(res, status, `the download failed: ${message}${retry}`);
      } else {
        // a truncated body must not pass for a whole file: break the connection
        res.destroy();
      }
    }
  }
}

function sendText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...SAFE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}
