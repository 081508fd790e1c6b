import { backendOf, providerSettings, sftpHost, validateLocationParams } from './provider-env';

describe('provider settings', () => {
  it('recognises every backend by its prefix, and plain paths as local', () => {
    expect(
      [
        '/srv/r',
        'local:/srv/r',
        'sftp:u@h:/r',
        'rest:https://h/',
        's3:https://h/b',
        'swift:c:/p',
        'b2:b:p',
        'azure:c:/',
        'gs:b:/',
        'rclone:r:p',
      ].map(backendOf),
    ).toEqual(['local', 'local', 'sftp', 'rest', 's3', 'swift', 'b2', 'azure', 'gs', 'rclone']);
  });

  it('puts S3 credentials in the environment and TLS options on the command line', () => {
    expect(
      providerSettings('s3:https://s3.example/bucket', {
        accessKeyId: 'AKIA1',
        secretAccessKey: 'secret-1',
        region: 'eu-west-1',
        cacert: '/etc/ca.pem',
        insecureTls: 'true',
      }),
    ).toEqual({
      location: 's3:https://s3.example/bucket',
      env: {
        AWS_ACCESS_KEY_ID: 'AKIA1',
        AWS_SECRET_ACCESS_KEY: 'secret-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
      },
      args: ['--cacert', '/etc/ca.pem', '--insecure-tls'],
    });
  });

  it('maps OVH / OpenStack Swift keystone v3 parameters to OS_* variables', () => {
    const { env } = providerSettings('swift:backups:/', {
      authUrl: 'https://auth.cloud.ovh.net/v3',
      regionName: 'GRA',
      projectName: 'p',
      username: 'u',
      password: 'pw-1234',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      identityApiVersion: '3',
    });
    expect(env).toEqual({
      OS_AUTH_URL: 'https://auth.cloud.ovh.net/v3',
      OS_REGION_NAME: 'GRA',
      OS_PROJECT_NAME: 'p',
      OS_USERNAME: 'u',
      OS_PASSWORD: 'pw-1234',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_IDENTITY_API_VERSION: '3',
    });
  });

  it('maps B2, Azure, GCS, REST and rclone parameters', () => {
    expect(providerSettings('b2:bucket:p', { accountId: 'id', accountKey: 'key' }).env).toEqual({
      B2_ACCOUNT_ID: 'id',
      B2_ACCOUNT_KEY: 'key',
    });
    expect(providerSettings('azure:c:/', { accountName: 'n', accountSas: 'sas' }).env).toEqual({
      AZURE_ACCOUNT_NAME: 'n',
      AZURE_ACCOUNT_SAS: 'sas',
    });
    expect(
      providerSettings('gs:b:/', { projectId: 'p', applicationCredentials: '/k.json' }).env,
    ).toEqual({
      GOOGLE_PROJECT_ID: 'p',
      GOOGLE_APPLICATION_CREDENTIALS: '/k.json',
    });
    expect(
      providerSettings('rclone:remote:path', { program: '/usr/bin/rclone', config: '/rc.conf' }),
    ).toEqual({
      location: 'rclone:remote:path',
      env: { RCLONE_CONFIG: '/rc.conf' },
      args: ['-o', 'rclone.program=/usr/bin/rclone'],
    });
  });

  it('puts REST credentials inside the URL, percent-encoded, and nowhere else', () => {
    const settings = providerSettings('rest:https://h:8000/repo', {
      username: 'me@home',
      password: 'p@ss:w/rd',
    });
    expect(settings).toEqual({
      location: 'rest:https://me%40home:p%40ss%3Aw%2Frd@h:8000/repo',
      env: {},
      args: [],
    });
    expect(providerSettings('rest:https://h/', {}).location).toBe('rest:https://h/');
    expect(validateLocationParams('rest:https://h/', { username: 'u' })).toEqual([
      'password: the rest backend needs username and password together',
    ]);
    expect(validateLocationParams('rest:https://a:b@h/', { username: 'u', password: 'p' })).toEqual(
      ['username: the location already holds credentials; give them in one place'],
    );
  });

  it('spells out the ssh command for an SFTP port or key', () => {
    expect(sftpHost('sftp:backup@nas:/srv/restic')).toBe('backup@nas');
    expect(sftpHost('sftp://backup@nas:2222//srv/restic')).toBe('backup@nas');
    expect(
      providerSettings('sftp:backup@nas:/srv', {
        port: '2222',
        identityFile: '/k',
        knownHostsFile: '/kh',
      }).args,
    ).toEqual([
      '-o',
      'sftp.command=ssh backup@nas -p 2222 -i /k -o IdentitiesOnly=yes -o UserKnownHostsFile=/kh -o BatchMode=yes -s sftp',
    ]);
    expect(providerSettings('sftp:h:/r', { command: 'ssh h -s sftp' }).args).toEqual([
      '-o',
      'sftp.command=ssh h -s sftp',
    ]);
  });

  it('names unknown and missing parameters', () => {
    expect(validateLocationParams('s3:https://h/b', { acessKeyId: 'x' })).toEqual([
      expect.stringMatching(
        /^acessKeyId: unknown parameter for the s3 backend \(known for s3: accessKeyId, /,
      ),
    ]);
    expect(validateLocationParams('/local', { cacert: '/x' })).toEqual([
      'cacert: unknown parameter for the local backend',
    ]);
    expect(validateLocationParams('b2:b:p', {})).toEqual([
      'accountId: required for the b2 backend',
      'accountKey: required for the b2 backend',
    ]);
    expect(validateLocationParams('azure:c:/', { accountName: 'n' })).toEqual([
      'accountKey: the azure backend needs accountKey or accountSas',
    ]);
    expect(validateLocationParams('rest:https://h/', { insecureTls: 'yes' })).toEqual([
      'insecureTls: must be true or false',
    ]);
    expect(
      validateLocationParams('s3:https://h/b', { accessKeyId: 'a', secretAccessKey: 's' }),
    ).toEqual([]);
  });
});
