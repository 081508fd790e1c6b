import { TurnMap } from './turn-map';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnMap', () => {
  it('keeps entries for the turn that set them, and is empty after it', async () => {
    const map = new TurnMap<string, number>();
    map.set('a', 1);
    await Promise.resolve();
    expect(map.get('a')).toBe(1);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
    map.set('b', 2);
    await nextTurn();
    expect(map.get('b')).toBeUndefined();
    // a later turn schedules its own clearing
    map.set('c', 3);
    expect(map.get('c')).toBe(3);
    await nextTurn();
    expect(map.get('c')).toBeUndefined();
  });
});
