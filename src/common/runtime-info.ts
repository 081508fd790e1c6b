import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Facts about this process that the status query reports. */
@Injectable()
export class RuntimeInfo {
  readonly startedAt = Date.now();
  readonly version = packageVersion();
  resticVersion: string | null = null;
}

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * The installation's folder: the nearest one above this code with a package.json. This file is
 * two folders below it in src/common under tests, one in dist/main.js, into which the build
 * bundles it (scripts/bundle-daemon.ts).
 */
export function packageRoot(): string {
  for (let folder = __dirname; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) throw new Error(`no package.json above ${__dirname}`);
  }
}
