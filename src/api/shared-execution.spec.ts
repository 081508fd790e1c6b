import {
  type ExecutionResult,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { EventHub as Hub } from '../../test/support/event-hub';
import { isPullable } from '../common/pullable';
import { SharedExecution } from './shared-execution';

describe('SharedExecution (graphql-ws subscribe hook)', () => {
  let hub: Hub;
  let resolved: number;
  let schema: GraphQLSchema;
  /** whether the source is Pullable, as the job feeds are */
  let pullable: boolean;

  beforeEach(() => {
    hub = new Hub();
    resolved = 0;
    pullable = false;
    const Tick = new GraphQLObjectType({
      name: 'Tick',
      fields: {
        label: {
          type: GraphQLString,
          args: { prefix: { type: GraphQLString } },
          resolve: (tick: { n: number }, args: { prefix?: string }) => {
            resolved++;
            return `${args.prefix ?? ''}${tick.n}`;
          },
        },
      },
    });
    schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: { tick: { type: Tick, subscribe: () => hub.follow(pullable) } },
      }),
    });
  });

  const document = parse('subscription($p: String) { tick { label(prefix: $p) } }');
  const subscribe = async (shared: SharedExecution, prefix: string, token = 'grafana') =>
    (await shared.subscribe({
      schema,
      document,
      variableValues: { p: prefix },
      contextValue: { auth: { ok: true, principal: { name: token, role: 'viewer' } } },
    })) as AsyncIterableIterator<ExecutionResult>;

  it('executes each event once for subscribers with the same selection, and hands them the same result', async () => {
    const shared = new SharedExecution();
    const same = await Promise.all(Array.from({ length: 50 }, () => subscribe(shared, 'n=')));
    const other = await subscribe(shared, 'other ');
    const otherToken = await subscribe(shared, 'n=', 'backup-bot');
    for (let n = 1; n <= 3; n++) {
      hub.publish({ n });
      const results = await Promise.all(same.map((s) => s.next()));
      expect(results[0].value).toEqual({ data: { tick: { label: `n=${n}` } } });
      for (const r of results) expect(r.value).toBe(results[0].value);
      expect((await other.next()).value).toEqual({ data: { tick: { label: `other ${n}` } } });
      // another token never shares, even for the same selection
      const forBot = (await otherToken.next()).value as ExecutionResult;
      expect(forBot).toEqual(results[0].value);
      expect(forBot).not.toBe(results[0].value);
    }
    // 3 events × 3 distinct selections (per token), not × 52 subscribers
    expect(shared.executions).toBe(9);
    expect(resolved).toBe(9);
  });

  it("hands a Pullable source's events over through pull, executed at once and shared, with no promise", async () => {
    pullable = true;
    const shared = new SharedExecution();
    const streams = await Promise.all([subscribe(shared, 'n='), subscribe(shared, 'n=')]);
    const received: unknown[] = [];
    for (const stream of streams) {
      if (!isPullable(stream)) throw new Error('the stream is not pullable');
      stream.pull(
        (result) => received.push(result.value),
        (error) => received.push(error),
      );
    }
    hub.publish({ n: 1 });
    // within publish: no promise between the source and the subscribers
    expect(received).toEqual([
      { data: { tick: { label: 'n=1' } } },
      { data: { tick: { label: 'n=1' } } },
    ]);
    expect(received[1]).toBe(received[0]);
    expect(shared.executions).toBe(1);
    // a source that is not Pullable gives a stream that is not either
    pullable = false;
    expect(isPullable(await subscribe(shared, 'n='))).toBe(false);
  });

  it('returns the source when a subscriber leaves', async () => {
    const shared = new SharedExecution();
    const a = await subscribe(shared, '');
    const b = await subscribe(shared, '');
    expect(hub.size).toBe(2);
    await a.return!();
    expect(hub.size).toBe(1);
    hub.publish({ n: 7 });
    expect((await b.next()).value).toEqual({ data: { tick: { label: '7' } } });
  });

  it('executes again for an event published later, even with the same content', async () => {
    const shared = new SharedExecution();
    const a = await subscribe(shared, '');
    hub.publish({ n: 1 });
    await a.next();
    await new Promise((resolve) => setImmediate(resolve));
    hub.publish({ n: 1 });
    await a.next();
    expect(shared.executions).toBe(2);
  });
});
