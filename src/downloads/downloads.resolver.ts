import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../api/auth/graphql-context';
import { RequireRole } from '../api/auth/require-role.decorator';
import { apiError } from '../api/graphql-errors';
import { DownloadRequestError } from './download-request';
import { TooManyDownloadsError } from './download-token-store';
import { DownloadFormat, DownloadModel } from './download.model';
import { DownloadsService } from './downloads.service';

@Resolver()
export class DownloadsResolver {
  constructor(private readonly downloads: DownloadsService) {}

  @RequireRole('operator')
  @Mutation(() => DownloadModel, {
    description:
      'a single-use link, valid for a few minutes, that serves a file of a snapshot (FILE) or a folder as an archive (TAR, ZIP) without a bearer token',
  })
  async createDownload(
    @Args('repository') repository: string,
    @Args('snapshotId', { description: 'a snapshot id, or 8 or more of its first hex digits' })
    snapshotId: string,
    @Args('path', { description: 'absolute path inside the snapshot; "/" is the whole snapshot' })
    path: string,
    @Args('format', { type: () => DownloadFormat }) format: DownloadFormat,
    @Context() context: RequestContext,
  ): Promise<DownloadModel> {
    const by = context.auth?.ok ? context.auth.principal.name : 'unknown';
    try {
      const created = await this.downloads.create(repository, snapshotId, path, format, by);
      const { download } = created;
      return {
        url: created.url,
        expiresAt: created.expiresAt,
        format,
        filename: download.filename,
        snapshotId: download.snapshotId,
        path: download.path,
        size: download.size,
      };
    } catch (error) {
      if (error instanceof DownloadRequestError) throw apiError(error.code, error.message);
      if (error instanceof TooManyDownloadsError) throw apiError('CONFLICT', error.message);
      throw error;
    }
  }
}
