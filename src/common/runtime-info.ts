import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Facts about this process that the status query reports. */
@Injectable()
export class RuntimeInfo {
  readonly startedAt = Date.now();
  readonly version = packageVersion();
  resticVersion: string | null = null;
}

export function packageVersion(): string {
  // Two levels up from both src/common and dist/common.
  const manifest = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  return manifest.version;
}
