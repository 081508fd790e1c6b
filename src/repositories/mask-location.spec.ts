import { maskLocation } from './mask-location';

describe('maskLocation', () => {
  it('masks a password in a URL but keeps the user and the rest', () => {
    expect(maskLocation('rest:https://backup:p4ss@nas:8000/repo')).toBe(
      'rest:https://backup:***@nas:8000/repo',
    );
  });

  it('leaves locations without credentials alone', () => {
    expect(maskLocation('s3:https://s3.amazonaws.com/bucket')).toBe(
      's3:https://s3.amazonaws.com/bucket',
    );
    expect(maskLocation('sftp:user@host:/srv/restic')).toBe('sftp:user@host:/srv/restic');
    expect(maskLocation('/var/backups/repo')).toBe('/var/backups/repo');
  });
});
