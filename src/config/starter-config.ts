import { dirname, isAbsolute, relative } from 'node:path';

export interface StarterConfigOptions {
  /** restic --host, the machine's name */
  hostname: string;
  /** the folder to back up (absolute) */
  folder: string;
  /** the folder holding the state, the repository and its password file (absolute) */
  filesDir: string;
  /** where the configuration is written (absolute): the paths in it are relative to its folder */
  configFile: string;
  /** the JSON schema editors validate the file against (yaml-language-server) */
  schemaPath: string;
}

/** A configuration that `--check-config` accepts, commented for a person's first hour. */
export function starterConfig(o: StarterConfigOptions): string {
  const local = (path: string) => {
    const rel = relative(dirname(o.configFile), path);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : `./${rel}`;
  };
  const quote = (text: string) => JSON.stringify(text);
  // The repository and the state must not go into their own backup (it would grow with itself).
  const inside = !relative(o.folder, o.filesDir).startsWith('..');
  const excludes = inside
    ? `    # hen-backup's own folder (state and repository) is inside the folder backed up
    excludes: [${quote(o.filesDir)}, '*.tmp', '*.swp']`
    : `    excludes: ['*.tmp', '*.swp']`;
  return `# yaml-language-server: $schema=${o.schemaPath}
# hen-backup configuration, written by \`hen-backup init\`.
# Check it with: hen-backup --config ${o.configFile} --check-config
# Relative paths below are relative to this file's folder; \${VAR} takes an environment variable.

# restic --host: the name snapshots are recorded under
hostname: ${quote(o.hostname)}
# job history, logs and schedule times (state.db), restic's cache; back it up like any state
dataDir: ${quote(local(`${o.filesDir}/state`))}

api:
  # loopback only: another address needs api.tokens (see the README)
  host: 127.0.0.1
  port: 4000

log:
  level: info

jobs:
  # how many jobs may run at once, and how long one may run before it is stopped
  concurrency: 2
  maxDuration: 6h

repositories:
  local:
    # a restic repository in a folder; s3:, sftp:, rest:, b2:, ... work too (see the README)
    location: ${quote(local(`${o.filesDir}/repository`))}
    # made by \`hen-backup init\` with a random password (mode 0600). Keep a copy somewhere
    # else: without it the backups cannot be read.
    passwordFile: ${quote(local(`${o.filesDir}/repository-password`))}
    check: { schedules: [1w], readDataSubset: 5% }

backups:
  home:
    paths: [${quote(o.folder)}]
${excludes}
    repositories: [local]
    # every day; cron works too, e.g. '0 30 2 * * *'
    schedules: [1d]
    retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }
    prune: { schedules: [1w] }
`;
}
