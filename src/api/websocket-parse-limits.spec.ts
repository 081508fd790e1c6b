import { Kind } from 'graphql';
import { QUERY_LIMITS } from './query-limits';
import { parseWithLimits, refuseUnparsableSubscriptions } from './websocket-parse-limits';

const tooManyTokens = `subscription { jobUpdated { ${'id '.repeat(QUERY_LIMITS.maxTokens)} } }`;

describe('parseWithLimits', () => {
  it('parses a document within the token limit', () => {
    expect(parseWithLimits('subscription { jobUpdated { id } }').kind).toBe(Kind.DOCUMENT);
  });

  it('stops at the token limit', () => {
    expect(() => parseWithLimits(tooManyTokens)).toThrow(`${QUERY_LIMITS.maxTokens} tokens`);
  });
});

describe('refuseUnparsableSubscriptions', () => {
  const onSubscribe = (query: string) => refuseUnparsableSubscriptions({}, '1', { query });

  it('lets graphql-ws go on with a document that parses', () => {
    expect(onSubscribe('subscription { jobUpdated { id } }')).toBeUndefined();
  });

  it.each([
    ['too many tokens', tooManyTokens],
    ['a syntax error', 'subscription { jobUpdated { id '],
  ])('answers %s with GRAPHQL_PARSE_FAILED', (_name, query) => {
    const errors = onSubscribe(query);
    expect(errors?.map((e) => e.toJSON())).toEqual([
      {
        message: expect.stringMatching(/^Syntax Error: /),
        locations: [expect.objectContaining({ line: 1 })],
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
    ]);
  });
});
