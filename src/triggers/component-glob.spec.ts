import { compileComponentGlob } from './component-glob';

function matches(glob: string, name: string): boolean {
  const matcher = compileComponentGlob(glob);
  if (!matcher) throw new Error(`bad pattern ${glob}`);
  return matcher(name);
}

describe('compileComponentGlob (Go filepath.Match on one component)', () => {
  it.each([
    ['*.tmp', 'a.tmp', true],
    ['*.tmp', '.tmp', true],
    ['*.tmp', 'a.tmp.x', false],
    ['*', '.hidden', true],
    ['?.go', 'F.go', true],
    ['?.go', 'FF.go', false],
    ['[uU]ser', 'User', true],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[^a-c]x', 'dx', true],
    ['[^a-c]x', 'ax', false],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['[\\]]', ']', true],
    ['a]b', 'a]b', true],
    ['{a,b}', 'a', false],
    ['{a,b}', '{a,b}', true],
    ['[!a]', '!', true],
    ['[!a]', 'b', false],
    ['+(a)', '+(a)', true],
    ['tesT.*', 'test.go', false],
    ['caf?', 'café', true],
    ['a.b', 'axb', false],
    ['*', 'line\nbreak', true],
  ])('%s against %s is %s', (glob, name, expected) => {
    expect(matches(glob, name)).toBe(expected);
  });

  it.each(['[', '[]', '[a', 'x\\', '[a-]', '[-a]', '[z-a]', '[^]'])(
    'rejects the bad pattern %s as Go does',
    (glob) => {
      expect(compileComponentGlob(glob)).toBeNull();
    },
  );
});
