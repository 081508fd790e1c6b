import { type WritePlaces, describeNoSpace, noSpaceLine } from './disk-full';
import { maskSecrets } from './mask';

/** Every way a restic run can fail, with what it means for the person reading it. */
export const RESTIC_ERROR_DESCRIPTIONS = {
  WRONG_PASSWORD: 'the repository password is wrong',
  REPOSITORY_NOT_FOUND: 'there is no repository at the location',
  REPOSITORY_ALREADY_EXISTS: 'a repository already exists at the location',
  REPOSITORY_LOCKED: 'another process holds a lock on the repository',
  PATH_NOT_FOUND: 'a path to back up or restore does not exist',
  BACKEND_UNREACHABLE: 'the storage backend could not be reached',
  DISK_FULL: 'a disk the work writes to is full',
  RESTIC_NOT_INSTALLED: 'the restic binary was not found',
  RESTIC_TOO_OLD: 'the restic binary is older than 0.14',
  CANCELED: 'canceled by a request or by the daemon',
  RESTIC_FAILED: 'restic failed for another reason (the message has its words)',
} as const;

export type ResticErrorCode = keyof typeof RESTIC_ERROR_DESCRIPTIONS;

export const RESTIC_ERROR_CODES = Object.keys(RESTIC_ERROR_DESCRIPTIONS) as ResticErrorCode[];

export interface ResticErrorOptions {
  exitCode?: number | null;
  /** end of restic's stderr, secrets masked */
  detail?: string;
  /** repository name from the configuration */
  repository?: string;
  cause?: unknown;
}

/** A restic run that failed, classified. `message` never holds secrets. */
export class ResticError extends Error {
  readonly exitCode: number | null;
  readonly detail: string;
  readonly repository?: string;

  constructor(
    readonly code: ResticErrorCode,
    message: string,
    options: ResticErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ResticError';
    this.exitCode = options.exitCode ?? null;
    this.detail = options.detail ?? '';
    this.repository = options.repository;
  }
}

/** How much of stderr a ResticError keeps in `detail`. */
export const DETAIL_MAX_CHARS = 4000;
/** How much of restic's own wording goes into a message. */
const REASON_MAX_CHARS = 240;

export const INSTALL_HINT =
  'install it (e.g. "apt-get install restic") or set RESTIC_BIN to the restic binary';

/**
 * Reasons for a backend that cannot be reached or refuses access, as restic prints them (its own
 * wording, Go's net errors, ssh's and the providers'). Checked before "missing repository",
 * because restic 0.14 ends those failures with "Is there a repository at the following location?"
 * too.
 */
const UNREACHABLE: Array<[RegExp, string]> = [
  [/connection refused/i, 'connection refused'],
  [/no such host|could not resolve hostname|name resolution|server misbehaving/i, 'host not found'],
  [/network is unreachable|no route to host|host is down/i, 'network unreachable'],
  // before "connection lost": a failing rclone also ends its HTTP stream with an unexpected EOF
  [/error talking HTTP to rclone|rclone: .*(failed|error|didn't find)/i, 'rclone failed'],
  [/connection reset by peer|broken pipe|unexpected EOF|connection closed/i, 'connection lost'],
  [/i\/o timeout|timed? ?out|deadline exceeded|Client\.Timeout/i, 'timed out'],
  [/x509:|certificate|tls: /i, 'TLS certificate problem'],
  [/host key verification failed|permission denied \(publickey/i, 'ssh authentication failed'],
  [/unable to start the sftp session|subprocess ssh|ssh: /i, 'ssh/sftp connection failed'],
  [
    /\b40[13]\b|unauthori[sz]ed|forbidden|access ?denied|InvalidAccessKeyId|SignatureDoesNotMatch|Access Key Id you provided does not exist|signature we calculated does not match|authentication failed|invalid credentials/i,
    'access denied by the backend (check its credentials)',
  ],
  [/\b50[0234]\b|service unavailable|bad gateway|internal server error/i, 'backend server error'],
  [/dial tcp/i, 'connection failed'],
  [/unable to open repository at/i, 'cannot open the repository'],
];

const MISSING_REPOSITORY = [
  /repository does not exist/i,
  /unable to open config file.*(no such file or directory|does not exist|not found|NoSuchKey|NoSuchBucket|\b404\b)/i,
];

const PATHS_MISSING = /all (target|source) directories\/files do not exist/i;
const LOCKED = /repository is already locked|unable to create lock/i;
const WRONG_PASSWORD = /wrong password or no key found/i;
const EMPTY_PASSWORD =
  /an empty password is not a password|reading repository password from stdin/i;
// the S3 backend words it differently from the others
const ALREADY_EXISTS = /config file already exists|master key and config already initialized/i;
const NOT_INSTALLED = /no such file or directory|not found|failed to execute/i;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Removes terminal escapes restic writes even when stderr is not a terminal. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * Lines that carry per-file problems (paths chosen by users) rather than the failure itself; they
 * are left out when classifying so that a file named "timeout.log" cannot look like a network error.
 */
function isPerFileLine(line: string): boolean {
  return (
    line.startsWith('{') ||
    /does not exist, skipping$/.test(line) ||
    /^(Warning|error):? /i.test(line) ||
    /^(lock was created at|storage ID|the `unlock` command)/.test(line)
  );
}

function fatalReason(lines: string[]): string | undefined {
  const fatal = [...lines].reverse().find((l) => /^Fatal: /.test(l));
  const chosen = fatal ?? [...lines].reverse().find((l) => l.trim().length > 0);
  if (!chosen) return undefined;
  const reason = chosen.replace(/^Fatal: /, '').trim();
  return reason.length > REASON_MAX_CHARS ? `${reason.slice(0, REASON_MAX_CHARS)}…` : reason;
}

/** The end of stderr as kept in ResticError.detail. */
export function stderrDetail(stderr: string, secrets: readonly string[] = []): string {
  const clean = maskSecrets(stripAnsi(stderr), secrets).trim();
  return clean.length > DETAIL_MAX_CHARS ? `…${clean.slice(-DETAIL_MAX_CHARS)}` : clean;
}

/**
 * Turns a failed restic run into a typed error. restic 0.14 exits 1 for nearly every failure, so
 * the text decides; newer versions add exit codes 10 (no repository), 11 (locked), 12 (wrong
 * password). `secrets` are masked out of message and detail. `places` lets a full disk be named.
 */
export function classifyResticFailure(
  exitCode: number | null,
  stderr: string,
  repoName: string,
  secrets: readonly string[] = [],
  places: WritePlaces = {},
): ResticError {
  const detail = stderrDetail(stderr, secrets);
  const lines = detail.split('\n').map((l) => l.trim());
  const significant = lines.filter((l) => !isPerFileLine(l)).join('\n');
  const repo = JSON.stringify(repoName);
  const make = (code: ResticErrorCode, message: string) =>
    new ResticError(code, message, { exitCode, detail, repository: repoName });

  if (exitCode === 130 || /signal interrupt received/.test(significant)) {
    return make('CANCELED', `restic was interrupted (repository ${repo})`);
  }
  // 127 is what nice/ionice/env exit with when they cannot find the program they wrap
  if (exitCode === 127 && NOT_INSTALLED.test(detail)) {
    return make('RESTIC_NOT_INSTALLED', `restic was not found; ${INSTALL_HINT}`);
  }
  if (exitCode === 12 || WRONG_PASSWORD.test(significant)) {
    return make('WRONG_PASSWORD', `wrong password for repository ${repo}`);
  }
  if (EMPTY_PASSWORD.test(significant)) {
    return make('WRONG_PASSWORD', `no password is set for repository ${repo}`);
  }
  // before "locked": on a full repository disk restic 0.14 ends with "unable to create lock"
  const noSpace = noSpaceLine(significant.split('\n'));
  if (noSpace) {
    return make('DISK_FULL', describeNoSpace(noSpace, repoName, places));
  }
  if (exitCode === 11 || LOCKED.test(significant)) {
    const holder = /locked (exclusively )?by (PID \d+ on \S+ by [^(\n]+?)\s*(\(|$)/m.exec(
      significant,
    );
    const by = holder ? ` by ${holder[2]}` : '';
    return make(
      'REPOSITORY_LOCKED',
      `repository ${repo} is locked${by}; if that process is gone, unlock the repository`,
    );
  }
  if (exitCode === 10) {
    return make('REPOSITORY_NOT_FOUND', `repository ${repo} does not exist at its location`);
  }
  if (PATHS_MISSING.test(significant)) {
    return make('PATH_NOT_FOUND', `none of the paths to back up exist`);
  }
  const unreachable = UNREACHABLE.find(([pattern]) => pattern.test(significant));
  if (unreachable) {
    const reason = fatalReason(significant.split('\n'));
    return make(
      'BACKEND_UNREACHABLE',
      `cannot reach the backend of repository ${repo}: ${unreachable[1]}` +
        (reason ? ` (${reason})` : ''),
    );
  }
  if (MISSING_REPOSITORY.some((pattern) => pattern.test(significant))) {
    return make('REPOSITORY_NOT_FOUND', `repository ${repo} does not exist at its location`);
  }
  if (ALREADY_EXISTS.test(significant)) {
    return make('REPOSITORY_ALREADY_EXISTS', `repository ${repo} is already initialized`);
  }
  const reason = fatalReason(significant.split('\n'));
  const exit = exitCode === null ? 'killed' : `exit code ${exitCode}`;
  return make(
    'RESTIC_FAILED',
    `restic failed for repository ${repo} (${exit})` + (reason ? `: ${reason}` : ''),
  );
}
