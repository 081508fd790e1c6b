import { ExcludeMatcher } from './exclude-matcher';

function excluded(patterns: string[], path: string): boolean {
  return new ExcludeMatcher(patterns).matches(path);
}

describe('ExcludeMatcher', () => {
  describe("the examples of restic's manual (Excluding Files)", () => {
    it.each([
      ['foo', '/dir1/foo/dir2/file', true],
      ['foo', '/dir/foo', true],
      ['foo', '/dir/foobar', false],
      ['foo', '/dir/barfoo', false],
      ['/bin', '/bin/bash', true],
      ['/bin', '/usr/bin/restic', false],
      ['b*ash', '/bin/bash', true],
      ['b*ash', '/bin/ash', false],
      ['foo/**/bar', '/dir1/foo/dir2/bar/file', true],
      ['foo/**/bar', '/foo/bar/file', true],
      ['foo/**/bar', '/tmp/foo/bar', true],
      ['foo/**/bar', '/foo/x/y/z/bar', true],
      ['*.go', '/home/user/work/main.go', true],
      ['*.c', '/home/user/work/main.go', false],
      ['foo bar star.txt', '/x/foo bar star.txt', true],
    ])('%s against %s is %s', (pattern, path, expected) => {
      expect(excluded([pattern], path)).toBe(expected);
    });
  });

  describe("restic's own filter tests (absolute paths)", () => {
    it.each([
      ['*.go', '/foo/bar/test.go', true],
      ['*', '/foo/bar/test.go', true],
      ['**', '/foo/bar/test.go', true],
      ['foo*', '/foo/bar/test.go', true],
      ['bar*', '/foo/bar/test.go', true],
      ['/bar*', '/foo/bar/test.go', false],
      ['bar/*', '/foo/bar/test.go', true],
      ['baz/*', '/foo/bar/test.go', false],
      ['bar/test.go', '/foo/bar/test.go', true],
      ['ba*/*.go', '/foo/bar/test.go', true],
      ['bb*/*.go', '/foo/bar/test.go', false],
      ['tesT.*', '/foo/bar/test.go', false],
      ['/foo/bar/', '/foo/bar', true],
      ['/foo/bar', '/foo/baz', false],
      ['/foo///bar', '/foo/bar', true],
      ['/foo/../bar', '/foo/bar', false],
      ['/foo/../bar', '/bar', true],
      ['/foo', '/foo/baz', true],
      ['/foo/*', '/foo', false],
      ['/foo/*', '/foo/baz', true],
      ['/foo/*test.*', '/foo/bar/test.go', false],
      ['/foo/*/test.*', '/foo/bar/test.go', true],
      ['/*/*/bar/test.*', '/foo/bar/baz/test.go', false],
      ['/*/*/baz/test.*', '/foo/bar/baz/test.go', true],
      ['sdk', '/foo/bar/sdk/test/sdk_foo.go', true],
      ['sdk/*/cpp/*/*vars*.html', '/usr/share/doc/libreoffice/sdk/docs/cpp/ref/a00517.html', false],
      ['foo/**/bar/*.go', '/home/user/foo/work/special/project/bar/test.go', true],
      ['foo/**/bar/*.go', '/home/user/foo/bar/test.go', true],
      ['foo/**/bar/*.go', '/home/user/foo/test.c', false],
      ['foo/**/bar/*.go', '/foo/bar/main.go', true],
      ['foo/**/bar', '/home/user/foo/x/y/bar/main.go', true],
      ['foo/**/bar/**/x', '/home/user/foo/blaaa/blaz/bar/shared/work/x', true],
      ['user/**/important*', '/home/user/work/x/y/hidden/x', false],
      ['user/**/hidden*/**/c', '/home/user/work/x/y/hidden/z/a/b/c', true],
      ['/home/[uU]ser/?.go', '/home/user/F.go', true],
    ])('%s against %s is %s', (pattern, path, expected) => {
      expect(excluded([pattern], path)).toBe(expected);
    });
  });

  it('excludes everything below an excluded directory', () => {
    expect(excluded(['.cache'], '/home/me/.cache/thumbnails/a/b.png')).toBe(true);
    expect(excluded(['/home/me/tmp'], '/home/me/tmp/deep/file')).toBe(true);
    expect(excluded(['node_modules'], '/src/app/node_modules/x/package.json')).toBe(true);
  });

  it('matches when any one of several patterns does', () => {
    expect(excluded(['*.c', '*.tmp'], '/x/a.tmp')).toBe(true);
    expect(excluded(['*.c', '*.tmp'], '/x/a.txt')).toBe(false);
  });

  it('ignores empty patterns and excludes nothing without patterns', () => {
    expect(excluded([], '/a/b')).toBe(false);
    expect(excluded([''], '/a/b')).toBe(false);
  });

  describe('negated patterns (restic 0.16+)', () => {
    const selection = ['/home/me/*', '!/home/me/Documents', '!/home/me/code', '*~'];

    it.each([
      ['/home/me/Music/a.mp3', true],
      ['/home/me/Documents', false],
      ['/home/me/Documents/letter.odt', false],
      ['/home/me/code/app/main.ts', false],
      ['/home/me/code/app/main.ts~', true],
      ['/home/me', false],
    ])('the selection example of the manual: %s is %s', (path, expected) => {
      expect(excluded(selection, path)).toBe(expected);
    });

    it('cannot bring back a file inside an excluded directory', () => {
      expect(excluded(['build', '!build/keep.txt'], '/p/build/keep.txt')).toBe(true);
    });

    it('only takes back what came before it', () => {
      expect(excluded(['!*.log', '*.log'], '/p/a.log')).toBe(true);
      expect(excluded(['*.log', '!keep.log'], '/p/keep.log')).toBe(false);
    });
  });

  it('lists patterns restic would refuse and never matches with them', () => {
    const matcher = new ExcludeMatcher(['test/[', '*.tmp', 'a/**/[']);
    expect(matcher.invalid).toEqual(['test/[', 'a/**/[']);
    expect(matcher.matches('/test/[')).toBe(false);
    expect(matcher.matches('/x/a.tmp')).toBe(true);
  });
});
