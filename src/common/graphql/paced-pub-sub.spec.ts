import { PacedPubSub } from './paced-pub-sub';

/** PacedPubSub with the turns of the event loop run by hand. */
function paced(perTurn: number) {
  const turns: (() => void)[] = [];
  const pubSub = new PacedPubSub(perTurn, (serve) => turns.push(serve));
  const runTurn = () => {
    const serve = turns.shift();
    if (!serve) throw new Error('no turn scheduled');
    serve();
  };
  return { pubSub, turns, runTurn };
}

describe('PacedPubSub', () => {
  it('hands each listener its events in order, perTurn listeners a turn', async () => {
    const { pubSub, turns, runTurn } = paced(2);
    const got: string[][] = [[], [], []];
    for (const list of got) await pubSub.subscribe('c', (p: unknown) => list.push(String(p)), {});
    void pubSub.publish('c', 'one');
    void pubSub.publish('c', 'two');
    expect(got).toEqual([[], [], []]);
    expect(turns).toHaveLength(1);
    runTurn();
    expect(got).toEqual([['one', 'two'], ['one', 'two'], []]);
    runTurn();
    expect(got).toEqual([
      ['one', 'two'],
      ['one', 'two'],
      ['one', 'two'],
    ]);
    expect(turns).toHaveLength(0);
  });

  it('gives a listener not served yet a later event in the same hand-over, and the served ones in a later turn', async () => {
    const { pubSub, runTurn } = paced(1);
    const handOvers: string[][][] = [[], []];
    const current: string[][] = [[], []];
    for (const [i, list] of current.entries()) {
      await pubSub.subscribe('c', (p: unknown) => list.push(String(p)), {});
      handOvers[i] = [];
    }
    const settle = (i: number) => {
      if (current[i].length) handOvers[i].push(current[i].splice(0));
    };
    void pubSub.publish('c', 'a');
    runTurn(); // the first listener gets 'a'
    settle(0);
    void pubSub.publish('c', 'b'); // published before the second listener's turn
    runTurn(); // the second listener: 'a' and 'b' at once
    settle(1);
    runTurn(); // the first listener again: 'b'
    settle(0);
    expect(handOvers).toEqual([[['a'], ['b']], [['a', 'b']]]);
  });

  it('keeps channels apart, skips what was published before a listener came, drops what waited for one that left', async () => {
    const { pubSub, turns, runTurn } = paced(10);
    const early: string[] = [];
    const other: string[] = [];
    void pubSub.publish('c', 'nobody listens');
    expect(turns).toHaveLength(0);
    const toLeaving: unknown[] = [];
    const leaving = await pubSub.subscribe('c', (p: unknown) => toLeaving.push(p), {});
    await pubSub.subscribe('c', (p: unknown) => early.push(String(p)), {});
    await pubSub.subscribe('d', (p: unknown) => other.push(String(p)), {});
    void pubSub.publish('c', 'x');
    pubSub.unsubscribe(leaving);
    await pubSub.subscribe('c', (p: unknown) => early.push(`late listener got ${String(p)}`), {});
    runTurn();
    expect(early).toEqual(['x']);
    expect(other).toEqual([]);
    expect(toLeaving).toEqual([]);
  });

  it('goes on with the other listeners when one throws, whatever it throws', async () => {
    const { pubSub, runTurn } = paced(10);
    const got: unknown[] = [];
    await pubSub.subscribe(
      'c',
      () => {
        throw new Error('broken listener');
      },
      {},
    );
    const unprintable = {
      toString() {
        throw new Error('cannot print');
      },
    };
    await pubSub.subscribe(
      'c',
      () => {
        // a library may throw anything: here, a value that cannot even be printed
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw unprintable;
      },
      {},
    );
    await pubSub.subscribe('c', (p: unknown) => got.push(p), {});
    const handedOver = pubSub.publish('c', 1);
    runTurn();
    expect(got).toEqual([1]);
    await handedOver;
  });

  it('serves on the real event loop by default', async () => {
    const pubSub = new PacedPubSub(1);
    const got: number[] = [];
    for (let i = 0; i < 3; i++) await pubSub.subscribe('c', () => got.push(i), {});
    const handedOver = pubSub.publish('c', null);
    expect(got).toEqual([]);
    await handedOver;
    expect(got).toEqual([0, 1, 2]);
  });

  it('resolves once the writes its last hand-over set off are done, as a socket uncorked on the next tick', async () => {
    const pubSub = new PacedPubSub(250);
    const order: string[] = [];
    // a subscriber's message is made in microtasks and its socket uncorked on the next tick
    await pubSub.subscribe(
      'c',
      () => queueMicrotask(() => process.nextTick(() => order.push('written'))),
      {},
    );
    await pubSub.publish('c', 1).then(() => order.push('handed over'));
    expect(order).toEqual(['written', 'handed over']);
  });

  it('resolves a publication once every listener it was published to has been handed it', async () => {
    const { pubSub, runTurn } = paced(1);
    const settled: string[] = [];
    const track = (name: string, publication: Promise<void>) =>
      void publication.then(() => settled.push(name));
    track('nobody listens', pubSub.publish('c', 0));
    const leaving = await pubSub.subscribe('c', () => undefined, {});
    const selfRemoving = await pubSub.subscribe('c', () => pubSub.unsubscribe(selfRemoving), {});
    await pubSub.subscribe('c', () => undefined, {});
    track('first', pubSub.publish('c', 1));
    track('second', pubSub.publish('c', 2));
    await Promise.resolve();
    expect(settled).toEqual(['nobody listens']);
    pubSub.unsubscribe(leaving); // what waited for it counts as handed
    runTurn(); // the one that left (its place in the queue)
    runTurn(); // the self-removing listener: handed 1, gone before 2, which counts as handed
    await Promise.resolve();
    expect(settled).toEqual(['nobody listens']);
    runTurn(); // the last listener
    await Promise.resolve();
    // what that hand-over set off (each subscriber's message) is written before it counts
    expect(settled).toEqual(['nobody listens']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual(['nobody listens', 'first', 'second']);
  });
});
