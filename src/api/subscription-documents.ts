import type { DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import { validateWithLimits } from './query-limits';
import { parseWithLimits, refuseUnparsableSubscriptions } from './websocket-parse-limits';

/** Distinct subscription documents kept parsed and validated. */
const KEPT_DOCUMENTS = 64;
/**
 * Longer sources are parsed each time: a parsed document takes about 60 times its source's
 * length, so what is kept stays under 8 MB whatever clients send.
 */
const MAX_KEPT_SOURCE_CHARS = 2000;

/**
 * graphql-ws's `parse` and `validate` for subscriptions, done once per distinct document instead
 * of once per subscriber: dashboards subscribe with the same few documents, and each parsed copy
 * (its syntax tree and tokens) stayed in memory for as long as its subscription lived: about
 * 12.6 KB for a `jobUpdated` selection of fifteen fields, 25 MB for 2,000 subscribers. A parsed
 * document is shared as it is (graphql treats syntax trees as immutable). The last
 * KEPT_DOCUMENTS sources of at most MAX_KEPT_SOURCE_CHARS are kept, the least recently used
 * dropped first; a validation result is kept with its document (and schema), for the same rules.
 */
export class SubscriptionDocuments {
  private readonly parsed = new Map<string, DocumentNode>();
  private readonly validated = new WeakMap<
    DocumentNode,
    { schema: GraphQLSchema; errors: readonly GraphQLError[] }
  >();

  constructor(private readonly kept = KEPT_DOCUMENTS) {}

  /** parseWithLimits, remembered by source text; a source that does not parse throws each time. */
  readonly parse = (source: string): DocumentNode => {
    const known = this.parsed.get(source);
    if (known) {
      // most recently used last: Map keeps insertion order
      this.parsed.delete(source);
      this.parsed.set(source, known);
      return known;
    }
    const document = parseWithLimits(source);
    if (source.length > MAX_KEPT_SOURCE_CHARS) return document;
    this.parsed.set(source, document);
    if (this.parsed.size > this.kept) this.parsed.delete(this.parsed.keys().next().value!);
    return document;
  };

  /** graphql-ws `onSubscribe`: refuseUnparsableSubscriptions, parsing through this cache. */
  readonly onSubscribe = (
    context: unknown,
    id: string,
    payload: { query: string },
  ): GraphQLError[] | undefined => refuseUnparsableSubscriptions(context, id, payload, this.parse);

  /** validateWithLimits, remembered for each parsed document (with graphql-ws's default rules). */
  readonly validate = (
    schema: GraphQLSchema,
    document: DocumentNode,
    rules?: readonly ValidationRule[],
  ): readonly GraphQLError[] => {
    if (rules) return validateWithLimits(schema, document, rules);
    const known = this.validated.get(document);
    if (known?.schema === schema) return known.errors;
    const errors = validateWithLimits(schema, document);
    this.validated.set(document, { schema, errors });
    return errors;
  };
}
