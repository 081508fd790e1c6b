import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { Authentication } from '../common/auth/token-authenticator';
import { RequireRole } from '../common/auth/require-role.decorator';
import { DownloadFormat, DownloadModel, toDownloadModel } from './models/download.model';
import { DownloadsService } from './downloads.service';
import { SNAPSHOT_REF_FORMS } from '../snapshots/snapshot-refs';

@Resolver()
export class DownloadsResolver {
  constructor(private readonly downloads: DownloadsService) {}

  @RequireRole('operator')
  @Mutation(() => DownloadModel, {
    nullable: true,
    description:
      'a single-use link, valid for a few minutes, that serves a file of a snapshot (FILE) or a folder as an archive (TAR, ZIP) without a bearer token',
  })
  async createDownload(
    @Args('repository', { description: 'the repository, by name' }) repository: string,
    @Args('snapshot', { description: `the snapshot: ${SNAPSHOT_REF_FORMS}` }) snapshot: string,
    @Args('path', { description: 'absolute path inside the snapshot; "/" is the whole snapshot' })
    path: string,
    @Args('format', { type: () => DownloadFormat, description: 'what to serve' })
    format: DownloadFormat,
    @Context() context: { auth?: Authentication },
  ): Promise<DownloadModel> {
    const by = context.auth?.ok ? context.auth.principal.name : 'unknown';
    return toDownloadModel(await this.downloads.create(repository, snapshot, path, format, by));
  }
}
