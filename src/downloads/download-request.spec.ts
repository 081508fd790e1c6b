import {
  DownloadRequestError,
  contentDisposition,
  downloadFilename,
  normaliseDownloadPath,
} from './download-request';

describe('download requests', () => {
  it('takes absolute paths, normalised, and refuses the rest', () => {
    expect(normaliseDownloadPath('/home/me/a.txt')).toBe('/home/me/a.txt');
    expect(normaliseDownloadPath('//home/./me//')).toBe('/home/me');
    expect(normaliseDownloadPath('/')).toBe('/');
    for (const bad of ['', 'home/me', './a', '/home/../etc', '/a/..', '/a\0b', '/a\nb']) {
      expect(() => normaliseDownloadPath(bad)).toThrow(DownloadRequestError);
    }
    expect(() => normaliseDownloadPath(`/${'a'.repeat(5000)}`)).toThrow(/longer/);
    // a name that merely contains dots is a name
    expect(normaliseDownloadPath('/a/..b/c..')).toBe('/a/..b/c..');
  });

  it('names downloads after the file or folder', () => {
    expect(downloadFilename('/home/me/a.txt', 'FILE', 'ab'.repeat(32))).toBe('a.txt');
    expect(downloadFilename('/home/me', 'TAR', 'ab'.repeat(32))).toBe('me.tar');
    expect(downloadFilename('/home/me', 'ZIP', 'ab'.repeat(32))).toBe('me.zip');
    expect(downloadFilename('/', 'TAR', '0123456789abcdef')).toBe('snapshot-01234567.tar');
    expect(downloadFilename('/x/a\r\nb\\c', 'FILE', '01234567')).toBe('a__b_c');
  });

  it('makes a Content-Disposition that cannot break out of its quotes', () => {
    expect(contentDisposition('a.txt')).toBe(
      `attachment; filename="a.txt"; filename*=UTF-8''a.txt`,
    );
    expect(contentDisposition('é "x" 100%.txt')).toBe(
      `attachment; filename="_ _x_ 100_.txt"; filename*=UTF-8''%C3%A9%20%22x%22%20100%25.txt`,
    );
    expect(contentDisposition("it's (1).txt")).toContain(`UTF-8''it%27s%20%281%29.txt`);
  });
});
