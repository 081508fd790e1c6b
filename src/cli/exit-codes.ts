/** What henctl's exit status tells a script. */
export const ExitCode = {
  OK: 0,
  /** the job failed, was canceled or interrupted; or the daemon answered with an error of its own */
  JOB_FAILED: 1,
  USAGE: 2,
  /** the job succeeded, but restic could not read some files */
  WARNINGS: 3,
  /** the daemon could not be reached, or it refused the token */
  UNREACHABLE: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error shown as one line (`henctl: message (CODE)`) before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** API error codes that mean the caller asked for something wrong, not that the daemon failed. */
const INPUT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
]);
const AUTH_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

export function exitCodeForApiCode(code: string | undefined): ExitCode {
  if (code && AUTH_CODES.has(code)) return ExitCode.UNREACHABLE;
  if (code && INPUT_CODES.has(code)) return ExitCode.USAGE;
  return ExitCode.JOB_FAILED;
}
