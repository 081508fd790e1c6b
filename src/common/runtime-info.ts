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
  const manifest = JSON.parse(readFileSync(packageManifest(), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * The nearest package.json above this code: two folders up from src/common under tests, one from
 * dist/main.js, into which the build bundles this file (scripts/bundle-daemon.ts).
 */
function packageManifest(): string {
  for (let folder = __dirname; ; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) return manifest;
    if (dirname(folder) === folder) throw new Error(`no package.json above ${__dirname}`);
  }
}
