import {
  formatPriority,
  isImmediate,
  isOnIdle,
  MAX_USER_PRIORITY,
  parsePriority,
  PRIORITY,
} from './priority';

describe('parsePriority', () => {
  it.each([
    ['immediate', PRIORITY.immediate],
    ['next', PRIORITY.next],
    ['superior', 10],
    ['normal', 0],
    ['inferior', -10],
    ['on-idle', PRIORITY['on-idle']],
    [' normal ', 0],
  ])('reads the name %j', (name, rank) => {
    expect(parsePriority(name)).toBe(rank);
  });

  it.each([
    [5, 5],
    [-3, -3],
    ['42', 42],
    ['-7', -7],
    ['+7', 7],
    [MAX_USER_PRIORITY, MAX_USER_PRIORITY],
    [-MAX_USER_PRIORITY, -MAX_USER_PRIORITY],
  ])('reads the integer %j', (input, rank) => {
    expect(parsePriority(input)).toBe(rank);
  });

  it('orders the named levels around every user integer', () => {
    const order = ['immediate', 'next', 'superior', 'normal', 'inferior', 'on-idle'] as const;
    const ranks = order.map((name) => parsePriority(name) as number);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    expect(PRIORITY.next).toBeGreaterThan(MAX_USER_PRIORITY);
    expect(PRIORITY['on-idle']).toBeLessThan(-MAX_USER_PRIORITY);
  });

  it('refuses integers outside the user range', () => {
    expect(parsePriority(MAX_USER_PRIORITY + 1)).toBe('1000001 is outside -1000000..1000000');
    expect(parsePriority('-2000000')).toMatch(/outside/);
  });

  it('refuses fractions, unknown names and other values', () => {
    expect(parsePriority(1.5)).toBe('1.5 is not an integer priority');
    expect(parsePriority('urgent')).toMatch(/^"urgent" is not a priority \(immediate, next/);
    expect(parsePriority('Normal')).toMatch(/is not a priority/);
    expect(parsePriority(null)).toMatch(/is not a priority/);
    expect(parsePriority(true)).toMatch(/is not a priority/);
  });
});

describe('formatPriority', () => {
  it('names named ranks and writes others as numbers', () => {
    expect(formatPriority(PRIORITY['on-idle'])).toBe('on-idle');
    expect(formatPriority(0)).toBe('normal');
    expect(formatPriority(7)).toBe('7');
  });

  it('tells immediate and on-idle apart', () => {
    expect(isImmediate(PRIORITY.immediate)).toBe(true);
    expect(isImmediate(PRIORITY.next)).toBe(false);
    expect(isOnIdle(PRIORITY['on-idle'])).toBe(true);
    expect(isOnIdle(-MAX_USER_PRIORITY)).toBe(false);
  });
});
