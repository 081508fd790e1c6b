import { buildSchema, GraphQLError } from 'graphql';
import { SubscriptionDocuments } from './subscription-documents';

const schema = buildSchema(`
  type Query { ping: String }
  type Job { id: ID! state: String }
  type Subscription { jobUpdated: Job }
`);
const JOB = 'subscription { jobUpdated { id state } }';

describe('SubscriptionDocuments', () => {
  it('parses a document once, however many subscribers send it', () => {
    const documents = new SubscriptionDocuments();
    const first = documents.parse(JOB);
    expect(documents.parse(JOB)).toBe(first);
    expect(documents.parse('subscription { jobUpdated { id } }')).not.toBe(first);
  });

  it('keeps the most recently used documents, up to its bound', () => {
    const documents = new SubscriptionDocuments(2);
    const a = documents.parse('subscription { a: jobUpdated { id } }');
    const b = documents.parse('subscription { b: jobUpdated { id } }');
    expect(documents.parse('subscription { a: jobUpdated { id } }')).toBe(a);
    documents.parse('subscription { c: jobUpdated { id } }');
    // b was the least recently used
    expect(documents.parse('subscription { a: jobUpdated { id } }')).toBe(a);
    expect(documents.parse('subscription { b: jobUpdated { id } }')).not.toBe(b);
  });

  it('does not keep long documents', () => {
    const documents = new SubscriptionDocuments();
    const long = `subscription { jobUpdated { ${'id '.repeat(1000)} } }`;
    expect(documents.parse(long)).not.toBe(documents.parse(long));
  });

  it('throws for a document that does not parse, each time', () => {
    const documents = new SubscriptionDocuments();
    expect(() => documents.parse('subscription {')).toThrow(GraphQLError);
    expect(() => documents.parse('subscription {')).toThrow(GraphQLError);
  });

  it('validates a document once per schema, errors included', () => {
    const documents = new SubscriptionDocuments();
    const valid = documents.parse(JOB);
    expect(documents.validate(schema, valid)).toEqual([]);
    expect(documents.validate(schema, valid)).toBe(documents.validate(schema, valid));

    const invalid = documents.parse('subscription { jobUpdated { nope } }');
    const errors = documents.validate(schema, invalid);
    expect(errors.map((e) => e.extensions.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(documents.validate(schema, invalid)).toBe(errors);

    const other = buildSchema(
      'type Query { ping: String } type Subscription { jobUpdated: String }',
    );
    expect(documents.validate(other, valid)).not.toEqual([]);
  });

  it('refuses an unparsable subscription as onSubscribe, and parses a good one into the cache', () => {
    const documents = new SubscriptionDocuments();
    expect(documents.onSubscribe({}, '1', { query: JOB })).toBeUndefined();
    expect(documents.onSubscribe({}, '2', { query: JOB })).toBeUndefined();
    const first = documents.parse(JOB);
    expect(documents.parse(JOB)).toBe(first);
    expect(
      documents.onSubscribe({}, '3', { query: 'subscription {' })?.map((e) => e.extensions.code),
    ).toEqual(['GRAPHQL_PARSE_FAILED']);
  });
});
