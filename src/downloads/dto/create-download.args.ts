import { ArgsType, Field } from '@nestjs/graphql';
import {
  IsNameArgument,
  IsPathArgument,
  IsTextArgument,
} from '../../common/graphql/argument-rules';
import { SNAPSHOT_REF_FORMS } from '../../snapshots/snapshot-refs';
import { DownloadFormat } from '../models/download.model';

/** `createDownload(repository, snapshot, path, format)`. */
@ArgsType()
export class CreateDownloadArgs {
  @Field({ description: 'the repository, by name' })
  @IsNameArgument()
  repository!: string;

  @Field({ description: `the snapshot: ${SNAPSHOT_REF_FORMS}` })
  @IsTextArgument()
  snapshot!: string;

  @Field({ description: 'absolute path inside the snapshot; "/" is the whole snapshot' })
  @IsPathArgument()
  path!: string;

  @Field(() => DownloadFormat, { description: 'what to serve' })
  format!: DownloadFormat;
}
