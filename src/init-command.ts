import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from './common/runtime-info';
import { starterConfig } from './config/starter-config';

const INIT_USAGE = `Usage: hen-backup init [PATH] [--folder FOLDER]

Writes a starter configuration to PATH (default: ./hen-backup.yaml) that backs up FOLDER
(default: your home folder) every day to a local restic repository in ./hen-backup/ beside
it, with a random repository password in a file only you can read. It never overwrites a
configuration. Then: hen-backup --config PATH --check-config, and hen-backup --config PATH.`;

/**
 * The JSON schema of the configuration in this installation (the package root holds it next to
 * package.json): an absolute path, so that an editor finds it wherever the file is written and
 * it matches the version that wrote the file; an upgrade in place keeps the path.
 */
export function packagedSchemaPath(): string {
  return join(packageRoot(), 'hen-backup.schema.json');
}

/** `hen-backup init`: exit 0 when written, 2 on bad usage or when the file exists. */
export function runInit(argv: string[]): number {
  let parsed: { values: { folder?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { folder: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${INIT_USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${INIT_USAGE}\n`);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    process.stderr.write(`init takes one PATH\n${INIT_USAGE}\n`);
    return 2;
  }
  const configFile = resolve(parsed.positionals[0] ?? 'hen-backup.yaml');
  const folder = resolve(parsed.values.folder ?? homedir());
  if (existsSync(configFile)) {
    process.stderr.write(`${configFile} exists: hen-backup init never overwrites a file\n`);
    return 2;
  }
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    process.stderr.write(`${folder} is not a folder: pass the one to back up with --folder\n`);
    return 2;
  }
  const filesDir = join(dirname(configFile), 'hen-backup');
  const passwordFile = join(filesDir, 'repository-password');
  mkdirSync(filesDir, { recursive: true, mode: 0o700 });
  // An existing password file may protect an existing repository: it is kept, never replaced.
  const newPassword = !existsSync(passwordFile);
  if (newPassword) {
    writeFileSync(passwordFile, `${randomBytes(24).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  }
  const text = starterConfig({
    hostname: hostname(),
    folder,
    filesDir,
    configFile,
    schemaPath: packagedSchemaPath(),
  });
  writeFileSync(configFile, text, { flag: 'wx' });
  process.stdout.write(
    `wrote ${configFile}: backs up ${folder} every day to ${join(filesDir, 'repository')}\n` +
      `${newPassword ? 'a new' : 'the existing'} repository password is in ${passwordFile}: ` +
      'keep a copy somewhere else, without it the backups cannot be read\n' +
      `check it: hen-backup --config ${configFile} --check-config\n` +
      `start it: hen-backup --config ${configFile}\n`,
  );
  return 0;
}
