import { SecretScrubber } from './secret-scrubber';

describe('SecretScrubber', () => {
  const scrubber = new SecretScrubber(['hunter2-password', 'hunter2', 'abc']);

  it('masks every known secret, longest first, and credentials in URLs', () => {
    expect(
      scrubber.scrub('pw hunter2-password and hunter2 in rest:https://bob:s3cr3t@host/repo'),
    ).toBe('pw *** and *** in rest:https://bob:***@host/repo');
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
