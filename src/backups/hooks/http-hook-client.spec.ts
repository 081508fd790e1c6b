import { withUrlCredentialsAsHeader } from './http-hook-client';

describe('withUrlCredentialsAsHeader', () => {
  it('moves URL credentials into basic auth, decoded, since fetch refuses them in URLs', () => {
    const { url, headers } = withUrlCredentialsAsHeader('https://me:p%40ss@host/x?y=1', {});
    expect(url).toBe('https://host/x?y=1');
    expect(headers.Authorization).toBe(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);
  });

  it('keeps an explicit Authorization header and any User-Agent', () => {
    const { headers } = withUrlCredentialsAsHeader('https://me:pw@host/', {
      authorization: 'Bearer abc',
      'user-agent': 'mine',
    });
    expect(headers).toEqual({ authorization: 'Bearer abc', 'user-agent': 'mine' });
  });

  it('leaves a URL without credentials alone and names the daemon', () => {
    expect(withUrlCredentialsAsHeader('http://host:1/a', { 'X-A': 'b' })).toEqual({
      url: 'http://host:1/a',
      headers: { 'X-A': 'b', 'User-Agent': 'hen-backup' },
    });
  });
});
