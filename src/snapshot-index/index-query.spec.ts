import { checkPrefix, checkRange, IndexQueryError, nameMatch } from './index-query';

describe('search input', () => {
  it('uses the trigram index for substrings of three characters or more', () => {
    expect(nameMatch('bud"get', null)).toEqual({ kind: 'trigram', phrase: '"bud""get"' });
    expect(nameMatch('a%', null)).toEqual({ kind: 'like', pattern: '%a\\%%' });
  });

  it('narrows globs by their longest literal run', () => {
    expect(nameMatch(null, '*.xlsx')).toEqual({
      kind: 'glob',
      pattern: '*.xlsx',
      trigram: '".xlsx"',
    });
    expect(nameMatch(null, 'a?[bc]*')).toEqual({ kind: 'glob', pattern: 'a?[bc]*' });
    expect(nameMatch(null, '**')).toEqual({ kind: 'all' });
    expect(nameMatch(null, null)).toEqual({ kind: 'all' });
    expect(nameMatch(null, '[]a]x')).toMatchObject({ kind: 'glob' });
  });

  it.each([
    ['[abc', '"[" without its closing "]"'],
    ['abc]', '"]" without its opening "["'],
    ['', 'must not be empty'],
    ['a/b', 'hold no "/"'],
  ])('refuses the glob %j', (glob, message) => {
    expect(() => nameMatch(null, glob)).toThrow(IndexQueryError);
    expect(() => nameMatch(null, glob)).toThrow(message);
  });

  it('refuses both a name and a glob', () => {
    expect(() => nameMatch('a', '*')).toThrow('give name or glob, not both');
  });

  it('refuses ranges out of order or negative, and bad prefixes', () => {
    expect(() => checkRange({ min: 10, max: 1 }, 'size')).toThrow('size: min is after max');
    expect(() => checkRange({ min: -1 }, 'size')).toThrow('negative');
    expect(() => checkRange({ min: new Date('x') }, 'modified')).toThrow('not a valid value');
    expect(checkRange({ min: new Date(1), max: new Date(2) }, 'modified')).toEqual({
      min: new Date(1),
      max: new Date(2),
    });
    expect(() => checkPrefix('relative')).toThrow(IndexQueryError);
    expect(() => checkPrefix('/a/../b')).toThrow('".."');
    expect(checkPrefix('/a//b/')).toBe('/a/b');
    expect(checkPrefix('/')).toBeUndefined();
  });
});
