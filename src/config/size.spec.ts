import { formatSize, parseSize } from './size';

describe('parseSize', () => {
  it.each([
    ['50K', 51_200],
    ['5M', 5_242_880],
    ['1G', 1_073_741_824],
    ['2T', 2_199_023_255_552],
    ['5m', 5_242_880],
    ['5MB', 5_242_880],
    ['5MiB', 5_242_880],
    ['5mib', 5_242_880],
    ['1.5M', 1_572_864],
    ['0.5K', 512],
    ['100', 100],
    ['100B', 100],
    [' 20 M ', 20_971_520],
  ])('reads %j as %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it('takes a whole positive number as bytes', () => {
    expect(parseSize(4096)).toBe(4096);
  });

  it.each(['0', '0K', '0.0001K', '-5M', '5X', 'M', '5 MBs', '1.5', '5iB', ''])(
    'refuses %j',
    (input) => {
      expect(typeof parseSize(input)).toBe('string');
    },
  );

  it.each([0, -1, 1.5, NaN])('refuses the number %d', (input) => {
    expect(parseSize(input)).toMatch(/not a size/);
  });

  it('says what kind of value it got when it is not text', () => {
    expect(parseSize({ upload: 5 })).toBe('expected a size like 50K or 5M, got a mapping');
  });

  it('names the unit it expects in the message', () => {
    expect(parseSize('5X')).toBe('"5X" is not a size (like 50K, 5M, 1G, 2T or a number of bytes)');
  });
});

describe('formatSize', () => {
  it.each([
    [524_288_000, '500M'],
    [1024, '1K'],
    [1536, '1536'],
    [1_073_741_824, '1G'],
    [3 * 1024 ** 4, '3T'],
    [100, '100'],
  ])('writes %d as %j', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
