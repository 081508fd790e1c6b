import { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { badUserInput } from './api-errors';
import { IsIntBetween, IsTextArgument } from './argument-rules';

/** The one page size rule of every connection in the API. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

@ObjectType('PageInfo', { description: 'where a page sits in its list (Relay cursor connections)' })
export class PageInfo {
  @Field({ description: 'more items follow the last one of this page' })
  hasNextPage!: boolean;

  @Field({ description: 'more items come before the first one of this page' })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "the first item's cursor; null on an empty page",
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "the last item's cursor; null on an empty page",
  })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Relay-style connection types for a node type: `<name>Connection` and `<name>Edge`. */
export function Connection<T>(node: Type<T>, name: string, what: string): Type<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`, { description: `one ${what} of a page, with its cursor` })
  class EdgeType {
    @Field({ description: 'pass it as `after` or `before` to page from here' })
    cursor!: string;

    @Field(() => node, { description: `the ${what}` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { isAbstract: true, description: `a page of ${what}s` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'the items of this page with their cursors' })
    edges!: EdgeType[];

    @Field(() => [node], { description: 'the items of this page, without cursors' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'where this page sits in the list' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'items in the whole list, all pages together' })
    totalCount!: number;
  }
  return ConnectionType;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `the first N items (after \`after\`), 1..${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE} when neither first nor last is given`,
  })
  @IsIntBetween(1, MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'start after this cursor (the endCursor of the previous page)',
  })
  @IsTextArgument()
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `the last N items (before \`before\`), 1..${MAX_PAGE_SIZE}; pages backwards`,
  })
  @IsIntBetween(1, MAX_PAGE_SIZE)
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'end before this cursor (the startCursor of the next page)',
  })
  @IsTextArgument()
  before?: string | null;
}

/** A page request, checked: how many items, from which end, between which keys. */
export interface PageWindow<K> {
  size: number;
  /** take the last `size` items of the range instead of the first */
  fromEnd: boolean;
  after?: K;
  before?: K;
}

function checkSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw badUserInput(`${name} must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return value;
}

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

export function pageWindow<K>(
  args: PageArgs,
  decode: (cursor: string, argument: 'after' | 'before') => K,
  defaultSize = DEFAULT_PAGE_SIZE,
): PageWindow<K> {
  if (given(args.first) && given(args.last)) {
    throw badUserInput('give first or last, not both');
  }
  const fromEnd = given(args.last);
  const size = given(args.first)
    ? checkSize('first', args.first)
    : given(args.last)
      ? checkSize('last', args.last)
      : defaultSize;
  return {
    size,
    fromEnd,
    after: given(args.after) ? decode(args.after, 'after') : undefined,
    before: given(args.before) ? decode(args.before, 'before') : undefined,
  };
}

/** Cursors are opaque to clients; the kind prefix stops one list's cursor being used on another. */
export function encodeCursor(kind: string, value: string | number): string {
  return Buffer.from(`${kind}:${value}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, argument = 'after'): string {
  const decoded = cursor.length <= 200 ? Buffer.from(cursor, 'base64url').toString() : '';
  if (!decoded.startsWith(`${kind}:`)) {
    throw badUserInput(`${argument} is not a valid cursor for this list`);
  }
  return decoded.slice(kind.length + 1);
}

/** A cursor over a list keyed by a positive integer (job ids, log sequence numbers). */
export function intCursorDecoder(kind: string) {
  return (cursor: string, argument: string): number => {
    const value = decodeCursor(kind, cursor, argument);
    if (!/^[1-9]\d{0,14}$/.test(value)) {
      throw badUserInput(`${argument} is not a valid cursor for this list`);
    }
    return Number(value);
  };
}

export function connectionOf<T>(
  nodes: T[],
  page: { hasNextPage: boolean; hasPreviousPage: boolean; totalCount: number },
  cursorOf: (node: T) => string,
): ConnectionShape<T> {
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    nodes,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A list read by position, without being held whole (a folder of the snapshot index, ...). */
export interface PositionalList<T, K> {
  length: number;
  /** the position of the item a cursor's key names; -1 when it is not in the list */
  indexOf(key: K): number;
  /** the items from `start` up to (not including) `end` */
  slice(start: number, end: number): readonly T[];
}

/**
 * A page of a list read by position, in the list's order. A cursor whose item is no longer in
 * the list is refused rather than silently restarting.
 */
export function pageOfList<T, K>(
  list: PositionalList<T, K>,
  window: PageWindow<K>,
  cursorOf: (item: T) => string,
): ConnectionShape<T> {
  const indexOf = (key: K, argument: string) => {
    const index = list.indexOf(key);
    if (index < 0) throw badUserInput(`${argument} names an item that is not in this list`);
    return index;
  };
  let start = window.after === undefined ? 0 : indexOf(window.after, 'after') + 1;
  let end = window.before === undefined ? list.length : indexOf(window.before, 'before');
  if (end < start) end = start;
  if (window.fromEnd) start = Math.max(start, end - window.size);
  else end = Math.min(end, start + window.size);
  return connectionOf(
    [...list.slice(start, end)],
    { hasPreviousPage: start > 0, hasNextPage: end < list.length, totalCount: list.length },
    cursorOf,
  );
}

/**
 * A page of a list held in memory, in the list's order; `keyOf` gives the key a cursor carries.
 * A cursor whose item is no longer in the list is refused rather than silently restarting.
 */
export function pageOfArray<T, K>(
  items: readonly T[],
  window: PageWindow<K>,
  keyOf: (item: T) => K,
  cursorOf: (item: T) => string,
): ConnectionShape<T> {
  return pageOfList(
    {
      length: items.length,
      indexOf: (key) => items.findIndex((item) => keyOf(item) === key),
      slice: (start, end) => items.slice(start, end),
    },
    window,
    cursorOf,
  );
}
