import { unwrapResolverError } from '@apollo/server/errors';
import { Logger } from '@nestjs/common';
import type { GraphQLFormattedError } from 'graphql';
import type { SecretScrubber } from '../common/secret-scrubber';

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
]);

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
    if (typeof code === 'string' && CLIENT_CODES.has(code)) found = code;
    current = candidate.originalError;
  }
  return found;
}

/**
 * Every error leaves with a code and a readable message, never a stack trace or a secret.
 * Errors without a client-facing code are logged in full and answered generically.
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
    return {
      message: scrubber.scrub(formatted.message),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code },
    };
  };
}
