import { classifyResticFailure, stripAnsi, type ResticErrorCode } from './restic-error';

/** stderr texts as restic 0.14.0 printed them on this project's machines, unless noted. */
const SAMPLES: Array<[string, number | null, string, ResticErrorCode]> = [
  [
    'missing local repository',
    1,
    'Fatal: unable to open config file: stat /x/config: no such file or directory\n' +
      'Is there a repository at the following location?\n/x',
    'REPOSITORY_NOT_FOUND',
  ],
  [
    'missing repository behind rest-server (rclone serve restic)',
    1,
    'Fatal: unable to open config file: <config/> does not exist\n' +
      'Is there a repository at the following location?\nrest:http://127.0.0.1:18765/missing/',
    'REPOSITORY_NOT_FOUND',
  ],
  [
    'missing repository behind rclone:',
    1,
    'rclone: 2026/11/22 03:24:13 NOTICE: Config file "/root/.config/rclone/rclone.conf" not found - using defaults\n' +
      'Fatal: unable to open config file: <config/> does not exist\n' +
      'Is there a repository at the following location?\nrclone:/tmp/rx/rcl/nothere',
    'REPOSITORY_NOT_FOUND',
  ],
  [
    'missing sftp repository (restic source wording)',
    1,
    'Fatal: unable to open config file: Lstat: file does not exist\n' +
      'Is there a repository at the following location?\nsftp:user@host:/srv/repo',
    'REPOSITORY_NOT_FOUND',
  ],
  [
    'missing S3 bucket',
    1,
    'Fatal: unable to open config file: Stat: The specified bucket does not exist.\n' +
      'Is there a repository at the following location?\ns3:https://s3.example.com/bucket',
    'REPOSITORY_NOT_FOUND',
  ],
  [
    'newer restic: repository does not exist',
    10,
    'Fatal: repository does not exist: unable to open config file: stat /x/config: no such file or directory\n' +
      'Is there a repository at the following location?\n/x',
    'REPOSITORY_NOT_FOUND',
  ],
  ['wrong password', 1, 'Fatal: wrong password or no key found', 'WRONG_PASSWORD'],
  ['newer restic: wrong password', 12, 'Fatal: wrong password or no key found', 'WRONG_PASSWORD'],
  ['no password', 1, 'Fatal: an empty password is not a password', 'WRONG_PASSWORD'],
  [
    'locked repository',
    1,
    'unable to create lock in backend: repository is already locked by PID 3680 on vm by root (UID 0, GID 0)\n' +
      'lock was created at 2026-11-22 03:23:49 (1.939578065s ago)\nstorage ID 5a2bd51e\n' +
      'the `unlock` command can be used to remove stale locks',
    'REPOSITORY_LOCKED',
  ],
  [
    'newer restic: locked exclusively',
    11,
    'Fatal: unable to create lock in backend: repository is already locked exclusively by PID 12 on host by me (UID 1000, GID 1000)',
    'REPOSITORY_LOCKED',
  ],
  [
    'all paths missing',
    1,
    '/tmp/rx/nothere does not exist, skipping\nFatal: all target directories/files do not exist',
    'PATH_NOT_FOUND',
  ],
  [
    'newer restic: all source paths missing',
    1,
    '/srv/timeout-logs does not exist, skipping\nFatal: all source directories/files do not exist',
    'PATH_NOT_FOUND',
  ],
  [
    'rest-server refusing connections',
    1,
    'Fatal: unable to open config file: client.Head: Head "http://127.0.0.1:1/config": dial tcp 127.0.0.1:1: connect: connection refused\n' +
      'Is there a repository at the following location?\nrest:http://127.0.0.1:1/',
    'BACKEND_UNREACHABLE',
  ],
  [
    'unknown host',
    1,
    'Fatal: unable to open config file: client.Head: Head "http://user:***@nonexistent-host.invalid:8000/repo/config": dial tcp: lookup nonexistent-host.invalid on 10.255.255.53:53: no such host\n' +
      'Is there a repository at the following location?\nrest:http://user:***@nonexistent-host.invalid:8000/repo/',
    'BACKEND_UNREACHABLE',
  ],
  [
    's3 refusing connections',
    1,
    'Fatal: unable to open config file: Stat: Get "http://127.0.0.1:1/bucket/?location=": dial tcp 127.0.0.1:1: connect: connection refused\n' +
      'Is there a repository at the following location?\ns3:http://127.0.0.1:1/bucket',
    'BACKEND_UNREACHABLE',
  ],
  [
    'sftp: ssh cannot connect',
    1,
    'subprocess ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused\n' +
      'Fatal: unable to open repository at sftp:nobody@127.0.0.1:/tmp/x: unable to start the sftp session, error: EOF',
    'BACKEND_UNREACHABLE',
  ],
  [
    'sftp: session fails',
    1,
    'Fatal: unable to open repository at sftp:127.0.0.1:/tmp/x: unable to start the sftp session, error: EOF',
    'BACKEND_UNREACHABLE',
  ],
  [
    'timeout',
    1,
    'Fatal: unable to open config file: Stat: Get "https://s3.example.com/bucket/?location=": dial tcp 10.1.2.3:443: i/o timeout\n' +
      'Is there a repository at the following location?\ns3:https://s3.example.com/bucket',
    'BACKEND_UNREACHABLE',
  ],
  [
    'self-signed certificate',
    1,
    'Fatal: unable to open config file: Stat: Get "https://127.0.0.1:9000/bucket/?location=": x509: certificate signed by unknown authority\n' +
      'Is there a repository at the following location?\ns3:https://127.0.0.1:9000/bucket',
    'BACKEND_UNREACHABLE',
  ],
  [
    's3 wrong credentials must not look like a missing repository',
    1,
    'Fatal: unable to open config file: Stat: The AWS Access Key Id you provided does not exist in our records. (InvalidAccessKeyId)\n' +
      'Is there a repository at the following location?\ns3:https://s3.example.com/bucket',
    'BACKEND_UNREACHABLE',
  ],
  [
    'rclone missing',
    1,
    'Fatal: unable to open repository at rclone:remote:path: error talking HTTP to rclone: exec: "rclone": executable file not found in $PATH',
    'BACKEND_UNREACHABLE',
  ],
  ['interrupted', 130, '\x1b[2Ksignal interrupt received, cleaning up', 'CANCELED'],
  [
    'restic missing behind nice',
    127,
    'nice: ‘restic’: No such file or directory',
    'RESTIC_NOT_INSTALLED',
  ],
  [
    'restic missing behind ionice',
    127,
    'ionice: failed to execute /nonexistent: No such file or directory',
    'RESTIC_NOT_INSTALLED',
  ],
  [
    'repository already initialized',
    1,
    'Fatal: create repository at /tmp/rx/repo failed: config file already exists',
    'REPOSITORY_ALREADY_EXISTS',
  ],
  [
    'S3 repository already initialized',
    1,
    'Fatal: create key in repository at s3:https://127.0.0.1:9000/b failed: repository master key and config already initialized',
    'REPOSITORY_ALREADY_EXISTS',
  ],
  [
    'rclone remote missing (ends with an unexpected EOF)',
    1,
    'rclone: 2026/11/22 04:30:00 Failed to create file system: didn\'t find section in config file\nFatal: unable to open repository at rclone:x:y: error talking HTTP to rclone: Get "http://localhost/file-1": unexpected EOF',
    'BACKEND_UNREACHABLE',
  ],
  [
    'S3 unknown access key (AWS wording, not a missing repository)',
    1,
    'Fatal: unable to open config file: Stat: The AWS Access Key Id you provided does not exist in our records.\nIs there a repository at the following location?',
    'BACKEND_UNREACHABLE',
  ],
  [
    'S3 wrong secret key',
    1,
    'Fatal: unable to open config file: Stat: The request signature we calculated does not match the signature you provided.',
    'BACKEND_UNREACHABLE',
  ],
  ['anything else', 1, 'Fatal: invalid id "zz": no matching ID found', 'RESTIC_FAILED'],
];

describe('classifyResticFailure', () => {
  it.each(SAMPLES)('%s (exit %s) → %s', (_name, exitCode, stderr, code) => {
    const error = classifyResticFailure(exitCode, stderr, 'local');
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(exitCode);
    expect(error.repository).toBe('local');
  });

  it('writes messages a person can act on', () => {
    expect(classifyResticFailure(1, 'Fatal: wrong password or no key found', 'local').message).toBe(
      'wrong password for repository "local"',
    );
    const locked = classifyResticFailure(1, SAMPLES[9][2], 'nas');
    expect(locked.message).toBe(
      'repository "nas" is locked by PID 3680 on vm by root; if that process is gone, unlock the repository',
    );
    expect(classifyResticFailure(1, SAMPLES[13][2], 'rest').message).toMatch(
      /^cannot reach the backend of repository "rest": connection refused \(unable to open config file: .*connection refused\)$/,
    );
    expect(classifyResticFailure(1, 'Fatal: something odd', 'x').message).toBe(
      'restic failed for repository "x" (exit code 1): something odd',
    );
    expect(classifyResticFailure(null, '', 'x').message).toBe(
      'restic failed for repository "x" (killed)',
    );
  });

  describe('a full disk (DISK_FULL)', () => {
    const places = { dataDir: '/var/lib/hen', repositoryPath: '/srv/repo' };
    // restic 0.14.0 on an 8 MiB tmpfs filled to the last byte (this project's machine)
    const fullTmp =
      'unable to open cache: write /var/lib/hen/cache/CACHEDIR.TAG: no space left on device\n' +
      'Fatal: unable to save snapshot: Write: write /var/lib/hen/tmp/restic-temp-pack-3659873867: no space left on device';
    const fullRepoLock =
      'write /srv/repo/locks/372c698c-tmp-313197199: no space left on device\n' +
      'github.com/restic/restic/internal/backend/local.(*Local).Save\n' +
      '\tgithub.com/restic/restic/internal/backend/local/local.go:170\n' +
      'unable to create lock in backend';
    const fullRepoPack =
      'no parent snapshot found, will read all files\n' +
      'Fatal: unable to save snapshot: write /srv/repo/data/b7/b7863a2f-tmp-2226810654: no space left on device';

    it.each([
      ['temp folder', fullTmp, /restic cannot write its temporary files to \/var\/lib\/hen\/tmp/],
      ['repository, while locking', fullRepoLock, /^the disk of repository "local" is full/],
      ['repository, while saving', fullRepoPack, /^the disk of repository "local" is full/],
      [
        'cache folder',
        'Fatal: mkdir /var/lib/hen/cache/0123/data: no space left on device',
        /restic cannot write its cache to \/var\/lib\/hen\/cache/,
      ],
      [
        'data directory itself',
        'Fatal: open /var/lib/hen/x: disk quota exceeded',
        /^the disk of the data directory \/var\/lib\/hen is full \(disk quota exceeded\)/,
      ],
      [
        'restore target',
        'ignoring error for /a: write /mnt/restore/a: no space left on device\nFatal: There were 1 errors',
        /^the disk holding \/mnt\/restore is full/,
      ],
      [
        'sftp server (no path)',
        'Fatal: unable to save snapshot: sftp: no space left on device',
        /^a disk restic writes to is full \(no space left on device\) while working on repository "local": the data directory \/var\/lib\/hen/,
      ],
      [
        'rest-server answering 507',
        'Fatal: unable to save snapshot: server response unexpected: 507 Insufficient Storage (507)',
        /^the storage of repository "local" is full/,
      ],
    ])('names the %s', (_name, stderr, message) => {
      const error = classifyResticFailure(1, stderr, 'local', [], places);
      expect(error.code).toBe('DISK_FULL');
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/restic-temp-pack|\n/);
    });

    it('ignores the non-fatal cache warning when the run failed for another reason', () => {
      const stderr =
        'unable to open cache: write /var/lib/hen/cache/CACHEDIR.TAG: no space left on device\n' +
        'Fatal: wrong password or no key found';
      expect(classifyResticFailure(1, stderr, 'local', [], places).code).toBe('WRONG_PASSWORD');
    });

    it('masks secrets in the path it quotes', () => {
      const stderr = 'Fatal: write /var/lib/S3CR3T/tmp/p: no space left on device';
      const error = classifyResticFailure(1, stderr, 'r', ['S3CR3T']);
      expect(error.code).toBe('DISK_FULL');
      expect(error.message).not.toContain('S3CR3T');
    });
  });

  it('does not read per-file lines as the failure', () => {
    const stderr =
      '{"message_type":"error","error":{},"during":"scan","item":"/srv/connection refused"}\n' +
      '/srv/timeout does not exist, skipping\nFatal: unable to save snapshot: disk full';
    expect(classifyResticFailure(1, stderr, 'x').code).toBe('RESTIC_FAILED');
  });

  it('masks URL credentials and secret values in message and detail', () => {
    const stderr =
      'Fatal: unable to open config file: Stat: Get "https://bob:hunter22@host.example/repo/config": tls: handshake failure token=S3CR3T-VALUE\n' +
      'Is there a repository at the following location?';
    const error = classifyResticFailure(1, stderr, 'r', ['S3CR3T-VALUE']);
    for (const text of [error.message, error.detail]) {
      expect(text).not.toContain('hunter22');
      expect(text).not.toContain('S3CR3T-VALUE');
      expect(text).toContain('https://bob:***@host.example');
    }
    expect(error.code).toBe('BACKEND_UNREACHABLE');
  });

  it('keeps only the end of a long stderr as detail', () => {
    const stderr = `${'noise line\n'.repeat(2000)}Fatal: wrong password or no key found`;
    const error = classifyResticFailure(1, stderr, 'r');
    expect(error.detail.length).toBeLessThanOrEqual(4001);
    expect(error.detail.endsWith('Fatal: wrong password or no key found')).toBe(true);
  });
});

describe('stripAnsi', () => {
  it('removes the clear-line escape restic 0.14 prints before "signal interrupt received"', () => {
    expect(stripAnsi('\x1b[2Ksignal interrupt received, cleaning up')).toBe(
      'signal interrupt received, cleaning up',
    );
  });
});
