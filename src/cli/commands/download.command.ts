import { Option, type Command } from 'commander';
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { present } from '../api-client';
import { SNAPSHOT_ARGUMENT } from '../arguments';
import { CliError, ExitCode } from '../exit-codes';
import { graphql } from '../generated';
import type { DownloadFormat } from '../generated/graphql';
import { formatBytes } from '../output/format';
import { act, type Session } from '../session';

const CREATE_DOWNLOAD = graphql(`
  mutation CliCreateDownload(
    $repository: String!
    $snapshot: String!
    $path: String!
    $format: DownloadFormat!
  ) {
    createDownload(repository: $repository, snapshot: $snapshot, path: $path, format: $format) {
      url
      filename
      size
      snapshotId
    }
  }
`);

const FORMATS: Record<string, DownloadFormat> = { file: 'FILE', tar: 'TAR', zip: 'ZIP' };

interface DownloadOptions {
  format: string;
  output?: string;
  force?: boolean;
}

async function download(
  session: Session,
  repository: string,
  snapshot: string,
  path: string,
  options: DownloadOptions,
): Promise<number> {
  const client = session.client();
  const output = options.output;
  if (output && output !== '-' && existsSync(output) && !options.force) {
    throw new CliError(`${output} exists (add --force to replace it)`, ExitCode.USAGE);
  }
  const answer = await client.request(CREATE_DOWNLOAD, {
    repository,
    snapshot,
    path,
    format: FORMATS[options.format],
  });
  const link = present(answer.createDownload, 'a download link');
  const file = output ?? link.filename;
  if (file !== '-' && existsSync(file) && !options.force) {
    throw new CliError(`${file} exists (add -o FILE or --force)`, ExitCode.USAGE);
  }
  // the link is its own credential: no bearer token goes with it
  const url = new URL(link.url, client.target.url);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new CliError(
      `cannot reach ${url.origin}: ${(error as Error).message}`,
      ExitCode.UNREACHABLE,
    );
  }
  if (!response.ok || !response.body) {
    throw new CliError(`the download failed: HTTP ${response.status}`, ExitCode.JOB_FAILED);
  }
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  if (file === '-') {
    await pipeline(body, process.stdout, { end: false });
    return 0;
  }
  const partial = `${file}.part`;
  try {
    await pipeline(body, createWriteStream(partial));
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new CliError(
      `the download of ${path} failed: ${(error as Error).message}`,
      ExitCode.JOB_FAILED,
    );
  }
  const size = link.size != null ? ` (${formatBytes(link.size)})` : '';
  process.stderr.write(`wrote ${file}${size}\n`);
  return 0;
}

export function registerDownload(program: Command): void {
  program
    .command('download')
    .argument('<repository>', 'the repository')
    .argument('<snapshot>', SNAPSHOT_ARGUMENT)
    .argument('<path>', 'absolute path inside the snapshot; / is the whole snapshot')
    .description('download a file of a snapshot, or a folder as a tar or zip archive')
    .addOption(
      new Option('--format <format>', 'file, or a folder as tar or zip')
        .choices(Object.keys(FORMATS))
        .default('file'),
    )
    .option(
      '-o, --output <file>',
      'where to write it; - for stdout (default: the name the daemon offers)',
    )
    .option('--force', 'replace the output file if it exists')
    .addHelpText(
      'after',
      '\nExamples:\n  henctl download nas latest /home/me/notes.txt\n  henctl download nas 1a2b3c4d /home/me/Pictures --format tar -o pictures.tar\n  henctl download nas latest /etc/hosts -o - | less',
    )
    .action(act(download));
}
