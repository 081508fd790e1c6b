import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTime, SafeInt } from '../../common/graphql/scalars';
import type { CreatedDownload } from '../downloads.service';

export enum DownloadFormat {
  FILE = 'FILE',
  TAR = 'TAR',
  ZIP = 'ZIP',
}

registerEnumType(DownloadFormat, {
  name: 'DownloadFormat',
  description: 'what a download link serves',
  valuesMap: {
    FILE: { description: 'the bytes of one file' },
    TAR: { description: 'a folder as a tar archive' },
    ZIP: { description: 'a folder as a zip archive' },
  },
});

@ObjectType('Download', {
  description:
    'a single-use link to a file or folder of a snapshot; GET it without a bearer token (the link is the credential) before it expires',
})
export class DownloadModel {
  @Field({
    description:
      'the link, relative to the API address (/downloads/<token>); it works once, and is never shown again',
  })
  url!: string;

  @Field(() => DateTime, { description: 'when the link stops working' })
  expiresAt!: string;

  @Field(() => DownloadFormat, { description: 'what the link serves' })
  format!: DownloadFormat;

  @Field({ description: 'the file name the download is offered under' })
  filename!: string;

  @Field({ description: 'the full id of the snapshot served' })
  snapshotId!: string;

  @Field({ description: 'the normalised path inside the snapshot' })
  path!: string;

  @Field(() => SafeInt, {
    nullable: true,
    description: 'bytes of a FILE download; null for archives',
  })
  size!: number | null;
}

export function toDownloadModel(created: CreatedDownload): DownloadModel {
  const { download } = created;
  return {
    url: created.url,
    expiresAt: created.expiresAt,
    format: download.format as DownloadFormat,
    filename: download.filename,
    snapshotId: download.snapshotId,
    path: download.path,
    size: download.size,
  };
}
