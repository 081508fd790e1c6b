import { FakeClock } from '../../test/support/fake-clock';
import {
  DownloadTokenStore,
  FORGET_AFTER_MS,
  TOKEN_PATTERN,
  TooManyDownloadsError,
} from './download-token-store';

const TTL = 5 * 60_000;

describe('DownloadTokenStore', () => {
  let clock: FakeClock;
  let store: DownloadTokenStore<{ path: string }>;

  beforeEach(() => {
    clock = new FakeClock();
    store = new DownloadTokenStore(clock, TTL);
  });

  it('issues unguessable 32-byte base64url tokens that expire after the TTL', () => {
    const a = store.issue({ path: '/a' });
    const b = store.issue({ path: '/b' });
    expect(a.token).toMatch(TOKEN_PATTERN);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(a.expiresAt).toBe(clock.now() + TTL);
  });

  it('gives the download once, then says the link was used', () => {
    const { token } = store.issue({ path: '/a' });
    expect(store.take(token)).toEqual({ status: 'ok', download: { path: '/a' } });
    expect(store.take(token)).toEqual({ status: 'used' });
    expect(store.pending).toBe(0);
  });

  it('takes back a link whose download failed before any byte, until it expires', () => {
    const { token } = store.issue({ path: '/a' });
    const taken = store.take(token);
    if (taken.status !== 'ok') throw new Error('not taken');
    expect(store.giveBack(token, taken.download)).toBe(true);
    expect(store.pending).toBe(1);
    expect(store.take(token)).toEqual({ status: 'ok', download: { path: '/a' } });
    clock.advance(TTL);
    expect(store.giveBack(token, taken.download)).toBe(false);
    expect(store.take(token)).toEqual({ status: 'used' });
    expect(store.giveBack('never-issued', taken.download)).toBe(false);
  });

  it('refuses a link at and after its expiry, then forgets it', () => {
    const { token } = store.issue({ path: '/a' });
    const other = store.issue({ path: '/b' });
    clock.advance(TTL - 1);
    expect(store.take(other.token).status).toBe('ok');
    clock.advance(1);
    expect(store.take(token)).toEqual({ status: 'expired' });
    expect(store.take(token)).toEqual({ status: 'expired' });
    clock.advance(FORGET_AFTER_MS);
    expect(store.take(token)).toEqual({ status: 'unknown' });
    expect(store.take(other.token)).toEqual({ status: 'unknown' });
  });

  it('does not know made-up, malformed or altered tokens', () => {
    const { token } = store.issue({ path: '/a' });
    const altered = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    expect(store.take(altered)).toEqual({ status: 'unknown' });
    expect(store.take('')).toEqual({ status: 'unknown' });
    expect(store.take(`${token}x`)).toEqual({ status: 'unknown' });
    expect(store.take('../../etc/passwd')).toEqual({ status: 'unknown' });
    // the failed attempts did not spend the real one
    expect(store.take(token).status).toBe('ok');
  });

  it('keeps only a hash of each token', () => {
    const { token } = store.issue({ path: '/a' });
    const entries = (store as unknown as { entries: Map<string, unknown> }).entries;
    expect([...entries.keys()]).toHaveLength(1);
    expect([...entries.keys()][0]).not.toContain(token);
    expect(JSON.stringify([...entries])).not.toContain(token);
  });

  it('bounds the links waiting unused; used and expired ones make room again', () => {
    const small = new DownloadTokenStore<number>(clock, TTL, 2);
    const first = small.issue(1);
    small.issue(2);
    expect(() => small.issue(3)).toThrow(TooManyDownloadsError);
    small.take(first.token);
    small.issue(3);
    clock.advance(TTL);
    small.issue(4);
    expect(small.pending).toBe(1);
  });
});
