import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { QUERY_LIMITS } from './query-limits';

/** graphql's `parse` with the token limit HTTP requests have (`parseOptions` in api.module.ts). */
export function parseWithLimits(source: string): DocumentNode {
  return parse(source, { maxTokens: QUERY_LIMITS.maxTokens });
}

/**
 * graphql-ws `onSubscribe`: a document that does not parse within the token limit, or at all, is
 * answered with an error message coded GRAPHQL_PARSE_FAILED, as over HTTP. graphql-ws itself would
 * parse without a limit, and a parse error there closes the whole socket (4500).
 *
 * Returns nothing for a document that parses, so graphql-ws then goes its usual way: it parses
 * again with its `parse` option (give it parseWithLimits), validates with `validate`, and builds
 * the context. Returning the execution arguments instead would skip `validate` and need the
 * schema, which Nest passes to graphql-ws but not to this hook. Given SubscriptionDocuments'
 * `parse`, the second parse of a document is a lookup.
 */
export function refuseUnparsableSubscriptions(
  _context: unknown,
  _id: string,
  payload: { query: string },
  parse: (source: string) => DocumentNode = parseWithLimits,
): GraphQLError[] | undefined {
  try {
    parse(payload.query);
    return undefined;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return [
      new GraphQLError(error.message, {
        source: error.source,
        positions: error.positions,
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    ];
  }
}
