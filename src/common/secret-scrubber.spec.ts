import { SecretScrubber } from './secret-scrubber';

describe('SecretScrubber', () => {
  const scrubber = new SecretScrubber(['hunter2-password', 'hunter2', 'abc']);

  it('masks every known secret, longest first, and credentials in URLs', () => {
    expect(
      scrubber.scrub('pw hunter2-password and hunter2 in rest:https://bob:s3cr3t@host/repo'),
    ).toBe('pw *** and *** in rest:https://bob:***@host/repo');
  });

  it('masks URL credentials whatever comes around the scheme, a very long one included', () => {
    const scheme = 'x'.repeat(40);
    expect(
      scrubber.scrub(
        `rest:https://bob:pw1@example.com/b sftp://u:p@h/x 1http://a:b@c ${scheme}+y://q:w@e`,
      ),
    ).toBe(
      `rest:https://bob:***@example.com/b sftp://u:***@h/x 1http://a:***@c ${scheme}+y://q:***@e`,
    );
    // a scheme of any length, or none that a URL parser would take
    const digits = `a${'1'.repeat(32)}://u:pw@h`;
    expect(scrubber.scrub(digits)).toBe(`a${'1'.repeat(32)}://u:***@h`);
    // long lines without URLs, and one with a URL after a long word, come back as they were
    const long = `line 1 ${'x'.repeat(100_000)}`;
    expect(scrubber.scrub(long)).toBe(long);
    expect(scrubber.scrub(`${long} http://u:pw@h`)).toBe(`${long} http://u:***@h`);
  });

  it('ignores secrets too short to mask without mangling ordinary words', () => {
    expect(scrubber.scrub('abc is fine')).toBe('abc is fine');
  });

  it('scrubs strings inside plain objects and arrays, keeping the shape', () => {
    expect(
      scrubber.scrubDeep({ msg: 'hunter2', n: 3, list: ['x hunter2'], nested: { a: 'hunter2' } }),
    ).toEqual({
      msg: '***',
      n: 3,
      list: ['x ***'],
      nested: { a: '***' },
    });
  });
});
