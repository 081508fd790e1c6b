import {
  GraphQLError,
  getNamedType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  isObjectType,
  isInterfaceType,
  specifiedRules,
  validate,
  type DocumentNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/graphql/connection';

/**
 * Limits on the shape of a GraphQL document, checked while validating it (so a refused document
 * is answered with GRAPHQL_VALIDATION_FAILED before any resolver runs).
 */
export const QUERY_LIMITS = {
  /** nesting of the API's own fields, e.g. `{ jobs { edges { node { steps { error { code } } } } } }` is 6 */
  maxDepth: 12,
  /**
   * nesting inside `__schema` and `__type`: the standard introspection query (and the sandbox's)
   * nests `ofType` nine levels deep, 15 in all; introspection cost is bounded by the schema anyway
   */
  maxIntrospectionDepth: 20,
  /** fields selected, counting every alias and every use of a fragment once */
  maxFields: 1000,
  /** fields × the page sizes of the connections they sit in (see `cost` below) */
  maxCost: 50_000,
  /** tokens in a document (graphql's parser stops there: GRAPHQL_PARSE_FAILED) */
  maxTokens: 20_000,
} as const;

/**
 * Extra weight of fields whose resolver does real work per call (starts restic, or queues a job),
 * so that a batch of aliases of them is refused long before the field count would be.
 */
export const FIELD_WEIGHTS: Readonly<Record<string, number>> = {
  'Query.snapshots': 1000,
  'Query.snapshot': 1000,
  'Query.snapshotFiles': 1000,
  'Query.diffSnapshots': 1000,
  'Query.repositoryStats': 1000,
  'Snapshot.statistics': 1000,
  'Mutation.runBackup': 100,
  'Mutation.pruneBackup': 100,
  'Mutation.checkRepository': 100,
  'Mutation.unlockRepository': 100,
  'Mutation.restoreSnapshot': 100,
  'Mutation.cancelJob': 10,
};

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

interface Measure {
  /** deepest nesting of the API's own fields */
  depth: number;
  /** deepest nesting inside an introspection root */
  introspectionDepth: number;
  fields: number;
  cost: number;
}

const ZERO: Measure = { depth: 0, introspectionDepth: 0, fields: 0, cost: 0 };

/**
 * The page size a connection field will answer with: its `first` (or `last`) argument when it is a literal
 * (clamped to what `pageSize` accepts; beyond that the resolver refuses it with BAD_USER_INPUT),
 * the variable's default, or the largest page when a variable gives it; otherwise the argument's
 * schema default, or the default page size.
 */
function pageMultiplier(
  node: FieldNode,
  def: GraphQLField<unknown, unknown> | undefined,
  operation: OperationDefinitionNode,
): number {
  if (!def?.args.some((a) => a.name === 'first')) return 1;
  const clamp = (n: number) => Math.min(Math.max(Math.trunc(n), 1), MAX_PAGE_SIZE);
  const argument = node.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
  if (!argument) return DEFAULT_PAGE_SIZE;
  const value = argument.value;
  if (value.kind === Kind.INT) return clamp(Number(value.value));
  if (value.kind === Kind.VARIABLE) {
    const variable = operation.variableDefinitions?.find(
      (v) => v.variable.name.value === value.name.value,
    );
    const fallback = variable?.defaultValue;
    return fallback?.kind === Kind.INT ? clamp(Number(fallback.value)) : MAX_PAGE_SIZE;
  }
  return 1; // null or a wrongly typed value: the resolver or validation refuses it
}

/** Walks one operation, expanding fragments (memoised, so a fragment bomb costs linear time). */
class OperationMeter {
  private readonly fragmentMeasures = new Map<string, Measure>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly context: ValidationContext,
    private readonly schema: GraphQLSchema,
    private readonly operation: OperationDefinitionNode,
  ) {}

  measureOperation(): Measure {
    const root = this.schema.getRootType(this.operation.operation);
    return this.selectionSet(this.operation.selectionSet, root ?? undefined, false);
  }

  private selectionSet(
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    inIntrospection: boolean,
  ): Measure {
    let total = ZERO;
    for (const selection of set.selections) {
      let part: Measure;
      if (selection.kind === Kind.FIELD) {
        part = this.field(selection, parent, inIntrospection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        const type = typeName ? this.schema.getType(typeName) : parent;
        part = this.selectionSet(selection.selectionSet, type ?? undefined, inIntrospection);
      } else {
        part = this.fragment(selection.name.value, inIntrospection);
      }
      total = {
        depth: Math.max(total.depth, part.depth),
        introspectionDepth: Math.max(total.introspectionDepth, part.introspectionDepth),
        fields: total.fields + part.fields,
        cost: total.cost + part.cost,
      };
      // Stop early: nothing below can bring the sums back under the limits.
      if (total.fields > QUERY_LIMITS.maxFields || total.cost > QUERY_LIMITS.maxCost) break;
    }
    return total;
  }

  private field(
    node: FieldNode,
    parent: GraphQLNamedType | undefined,
    inIntrospection: boolean,
  ): Measure {
    const name = node.name.value;
    const def =
      parent && (isObjectType(parent) || isInterfaceType(parent))
        ? parent.getFields()[name]
        : undefined;
    const introspection = inIntrospection || INTROSPECTION_ROOTS.has(name);
    const weight = parent ? (FIELD_WEIGHTS[`${parent.name}.${name}`] ?? 1) : 1;
    if (!node.selectionSet) {
      return {
        depth: introspection ? 0 : 1,
        introspectionDepth: introspection ? 1 : 0,
        fields: 1,
        cost: weight,
      };
    }
    const inner = this.selectionSet(
      node.selectionSet,
      def ? getNamedType(def.type) : undefined,
      introspection,
    );
    const multiplier = pageMultiplier(node, def, this.operation);
    return {
      depth: introspection ? 0 : inner.depth + 1,
      introspectionDepth: introspection
        ? Math.max(inner.introspectionDepth, inner.depth) + 1
        : inner.introspectionDepth,
      fields: inner.fields + 1,
      cost: weight + multiplier * inner.cost,
    };
  }

  private fragment(name: string, inIntrospection: boolean): Measure {
    const key = `${inIntrospection ? 'i' : 'o'}:${name}`;
    const known = this.fragmentMeasures.get(key);
    if (known) return known;
    // A fragment cycle is reported by graphql's own NoFragmentCyclesRule.
    if (this.inProgress.has(key)) return ZERO;
    const definition: FragmentDefinitionNode | undefined | null = this.context.getFragment(name);
    if (!definition) return ZERO;
    this.inProgress.add(key);
    const type = this.schema.getType(definition.typeCondition.name.value) ?? undefined;
    const measure = this.selectionSet(definition.selectionSet, type, inIntrospection);
    this.inProgress.delete(key);
    this.fragmentMeasures.set(key, measure);
    return measure;
  }
}

/** The measure of a document's operation, for tests and for the validation rule. */
export function measureOperation(
  context: ValidationContext,
  operation: OperationDefinitionNode,
): Measure {
  return new OperationMeter(context, context.getSchema(), operation).measureOperation();
}

/** Refuses documents nested too deeply, selecting too many fields, or costing too much. */
export const queryLimitsRule: ValidationRule = (context: ValidationContext): ASTVisitor => ({
  OperationDefinition(operation) {
    const measure = measureOperation(context, operation);
    const name = operation.name ? `operation "${operation.name.value}"` : 'the operation';
    const refuse = (message: string) =>
      context.reportError(new GraphQLError(message, { nodes: [operation] }));
    if (measure.depth > QUERY_LIMITS.maxDepth) {
      refuse(`${name} nests fields deeper than ${QUERY_LIMITS.maxDepth} levels`);
    }
    if (measure.introspectionDepth > QUERY_LIMITS.maxIntrospectionDepth) {
      refuse(
        `${name} nests introspection fields deeper than ${QUERY_LIMITS.maxIntrospectionDepth} levels`,
      );
    }
    if (measure.fields > QUERY_LIMITS.maxFields) {
      refuse(
        `${name} selects more than ${QUERY_LIMITS.maxFields} fields (counting aliases and fragment uses)`,
      );
    } else if (measure.cost > QUERY_LIMITS.maxCost) {
      refuse(
        `${name} is too expensive: its cost (fields × page sizes) is over ${QUERY_LIMITS.maxCost}; ask for smaller pages or fewer fields`,
      );
    }
    return false;
  },
});

/**
 * graphql's validation with the limits added, for subscriptions over graphql-ws. Apollo's error
 * formatting does not reach graphql-ws, so the errors get the code HTTP gives them here.
 */
export function validateWithLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  rules: readonly ValidationRule[] = specifiedRules,
): readonly GraphQLError[] {
  return validate(schema, document, [...rules, queryLimitsRule]).map(
    (error) =>
      new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
  );
}
