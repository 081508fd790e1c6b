import { GraphQLError } from 'graphql';
import { encodeCursor, pageOfArray, pageWindow, type PageArgs } from './connection';

const items = Array.from({ length: 10 }, (_, i) => i + 1);
const decode = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().slice(2));
const page = (args: PageArgs) =>
  pageOfArray(
    items,
    pageWindow(args, decode),
    (n) => n,
    (n) => encodeCursor('n', n),
  );

describe('connections', () => {
  it('pages forwards with first/after, with exact flags and the total', () => {
    const one = page({ first: 4 });
    expect(one.nodes).toEqual([1, 2, 3, 4]);
    expect(one.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(one.totalCount).toBe(10);
    const two = page({ first: 4, after: one.pageInfo.endCursor });
    expect(two.nodes).toEqual([5, 6, 7, 8]);
    expect(two.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(two.pageInfo.startCursor).toBe(encodeCursor('n', 5));
  });

  it('pages backwards with last/before, the tail first', () => {
    const tail = page({ last: 3 });
    expect(tail.nodes).toEqual([8, 9, 10]);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = page({ last: 3, before: tail.pageInfo.startCursor });
    expect(before.nodes).toEqual([5, 6, 7]);
    expect(page({ last: 20, before: encodeCursor('n', 3) }).nodes).toEqual([1, 2]);
  });

  it('refuses first with last, sizes out of range, and cursors of items not in the list', () => {
    expect(() => page({ first: 1, last: 1 })).toThrow(GraphQLError);
    expect(() => page({ first: 0 })).toThrow(/between 1 and 500/);
    expect(() => page({ last: 501 })).toThrow(/between 1 and 500/);
    expect(() => page({ after: encodeCursor('n', 99) })).toThrow(/not in this list/);
  });
});
