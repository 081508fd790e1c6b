import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { QUERY_LIMITS, queryLimitsRule } from './query-limits';

const schema = buildSchema(`
  type Query {
    status: Status!
    jobs(first: Int, after: String): JobConnection!
    snapshots(repository: String!, first: Int): JobConnection!
  }
  type Mutation { runBackup(name: String!): Job! }
  type Status { version: String! }
  type JobConnection { edges: [JobEdge!]! }
  type JobEdge { cursor: String! node: Job! }
  type Job { id: ID! logs(first: Int = 500): JobConnection! }
`);

const errors = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, queryLimitsRule]).map((e) => e.message);

describe('query limits', () => {
  it('accepts ordinary documents and the standard introspection query', () => {
    expect(errors('{ status { version } jobs(first: 50) { edges { node { id } } } }')).toEqual([]);
    expect(errors(getIntrospectionQuery())).toEqual([]);
  });

  it('refuses depth beyond the limit, in fields or in introspection', () => {
    const deep = (n: number) =>
      `{ jobs(first: 1) { edges { node { ${'logs(first: 1) { edges { node { '.repeat(n)} id ${'} } } '.repeat(n)} } } } }`;
    expect(errors(deep(2))).toEqual([]); // depth 10
    expect(errors(deep(3))).toEqual([expect.stringMatching(/deeper than 12/)]);
    const ofType = (n: number) =>
      `{ __schema { types { fields { type { ${'ofType { '.repeat(n)} name ${'} '.repeat(n)} } } } } }`;
    expect(errors(ofType(14))).toEqual([]);
    expect(errors(ofType(16))).toEqual([
      expect.stringMatching(
        `introspection fields deeper than ${QUERY_LIMITS.maxIntrospectionDepth}`,
      ),
    ]);
  });

  it('counts aliases and fragment uses, and stops early on fragment bombs', () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: status { version }`).join(' ')} }`;
    expect(errors(aliases(400))).toEqual([]);
    expect(errors(aliases(600))).toEqual([expect.stringMatching(/more than 1000 fields/)]);
    const levels = 60;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Query { ...F${i + 1} x${i}: status { version } ...F${i + 1} }`,
    ).join(' ');
    const started = Date.now();
    expect(
      errors(`{ ...F0 } ${fragments} fragment F${levels} on Query { status { version } }`),
    ).toEqual([expect.stringMatching(/more than 1000 fields/)]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('multiplies by page sizes: literal, variable, argument default', () => {
    const logs = (first: string) =>
      `query${first === '$n' ? '($n: Int)' : ''} { jobs(first: ${first}) { edges { node { logs(first: 500) { edges { node { id } } } } } } }`;
    // 100 jobs × (3 + 500 log lines × 3) ≈ 150k
    expect(errors(logs('100'))).toEqual([expect.stringMatching(/too expensive/)]);
    expect(errors(logs('10'))).toEqual([]);
    expect(errors(logs('$n'))).toEqual([expect.stringMatching(/too expensive/)]);
    // beyond the largest page, the resolver refuses `first` itself (BAD_USER_INPUT)
    expect(errors('{ jobs(first: 100000) { edges { cursor } } }')).toEqual([]);
  });

  it('weighs fields that start restic or queue work', () => {
    const snapshots = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `s${i}: snapshots(repository: "r") { edges { cursor } }`).join(' ')} }`;
    expect(errors(snapshots(2))).toEqual([]);
    expect(errors(snapshots(60))).toEqual([expect.stringMatching(/too expensive/)]);
  });
});
