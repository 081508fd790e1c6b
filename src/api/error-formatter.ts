import { unwrapResolverError } from '@apollo/server/errors';
import { Logger } from '@nestjs/common';
import type { GraphQLFormattedError } from 'graphql';
import type { SecretScrubber } from '../common/secret-scrubber';
import { RESTIC_ERROR_CODES } from '../restic/restic-error';

const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  // a restic failure answering a query (e.g. snapshots of an unreachable repository) keeps its
  // classification and its readable, secret-free message
  ...RESTIC_ERROR_CODES,
]);

/**
 * Domain codes answered under another API code: the one place where a domain's word for a
 * failure becomes the client's. Domain errors already named in CLIENT_CODES keep their code.
 */
const API_CODE_OF: Record<string, string> = {
  // an exclusive job (prune, check) holds the repository: worth trying again later
  REPOSITORY_LOCKED: 'CONFLICT',
};

const logger = new Logger('GraphQL');

/**
 * The most specific client-facing code in the error chain: graphql-js wraps a scalar's
 * BAD_USER_INPUT inside a validation error, and domain errors carry a plain `code`.
 */
function innermostCode(error: unknown): string | undefined {
  let found: string | undefined;
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as {
      code?: unknown;
      extensions?: { code?: unknown };
      originalError?: unknown;
    };
    const code = candidate.extensions?.code ?? candidate.code;
    const mapped = typeof code === 'string' ? (API_CODE_OF[code] ?? code) : undefined;
    if (mapped !== undefined && CLIENT_CODES.has(mapped)) found = mapped;
    current = candidate.originalError;
  }
  return found;
}

/**
 * Every error leaves with a code and a readable message, never a stack trace or a secret.
 * Errors without a client-facing code are logged at error (one line, no stack) and answered
 * generically; client mistakes are logged at debug.
 */
export function formatGraphQLError(scrubber: SecretScrubber) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    let code = formatted.extensions?.code;
    const ownCode = innermostCode(original);
    if (ownCode) code = ownCode;
    if (typeof code !== 'string' || !CLIENT_CODES.has(code)) {
      logger.error({
        msg: 'unexpected error answering a request',
        error: scrubber.scrub(String(original)),
      });
      return {
        message: 'internal error',
        path: formatted.path,
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    }
    // A client's mistake is the client's to see; the operator may look at it at debug level.
    logger.debug({ msg: 'request refused', code, error: scrubber.scrub(formatted.message) });
    // The parser recurses; a document nested thousands of levels deep exhausts the stack.
    const message =
      code === 'GRAPHQL_PARSE_FAILED' && /call stack/i.test(formatted.message)
        ? 'the document is nested too deeply to be parsed'
        : formatted.message;
    return {
      message: scrubber.scrub(message),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code },
    };
  };
}
