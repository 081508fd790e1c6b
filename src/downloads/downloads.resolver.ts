import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { Authentication } from '../common/auth/token-authenticator';
import { RequireRole } from '../common/auth/require-role.decorator';
import { DownloadModel, toDownloadModel } from './models/download.model';
import { DownloadsService } from './downloads.service';
import { CreateDownloadArgs } from './dto/create-download.args';

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
    @Args() { repository, snapshot, path, format }: CreateDownloadArgs,
    @Context() context: { auth?: Authentication },
  ): Promise<DownloadModel> {
    const by = context.auth?.ok ? context.auth.principal.name : 'unknown';
    return toDownloadModel(await this.downloads.create(repository, snapshot, path, format, by));
  }
}
