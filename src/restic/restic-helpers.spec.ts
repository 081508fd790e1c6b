import { maskSecrets } from './mask';
import { tieToDaemon, wrapWithPriority } from '../process/process-priority';
import { limitFlags, passThroughEnv, toKibPerSecond } from './restic-command';
import { describeErrorMessage, toBackupProgress, toResticSnapshot } from './restic-json';
import { compareVersions, parseResticVersion } from './restic-version';

describe('limits', () => {
  it('converts bytes per second to whole KiB/s, rounding down, at least 1', () => {
    expect(toKibPerSecond(5 * 1024 * 1024)).toBe(5120);
    expect(toKibPerSecond(1500)).toBe(1);
    expect(toKibPerSecond(100)).toBe(1);
    expect(toKibPerSecond(2047)).toBe(1);
  });

  it('emits restic flags only for the limits that are set', () => {
    expect(limitFlags(undefined)).toEqual([]);
    expect(limitFlags({ nice: 5 })).toEqual([]);
    expect(limitFlags({ upload: 2 * 1024 * 1024, download: 200 * 1024 })).toEqual([
      '--limit-upload',
      '2048',
      '--limit-download',
      '200',
    ]);
  });

  it('wraps the command in nice and ionice when asked', () => {
    expect(wrapWithPriority(['restic', 'backup'], {})).toEqual({
      command: 'restic',
      args: ['backup'],
    });
    expect(
      wrapWithPriority(['restic', 'backup'], {
        nice: 10,
        ionice: { class: 'best-effort', level: 7 },
      }),
    ).toEqual({
      command: 'nice',
      args: ['-n', '10', 'ionice', '-t', '-c', '2', '-n', '7', 'restic', 'backup'],
    });
    expect(wrapWithPriority(['restic'], { ionice: { class: 'idle', level: 3 } })).toEqual({
      command: 'ionice',
      args: ['-t', '-c', '3', 'restic'],
    });
    expect(wrapWithPriority(['restic'], { nice: -5 })).toEqual({
      command: 'nice',
      args: ['-n', '-5', 'restic'],
    });
  });
});

describe('tieToDaemon', () => {
  it('runs the command under setpriv with a parent-death SIGINT when setpriv exists', () => {
    expect(
      tieToDaemon({ command: 'nice', args: ['-n', '5', 'restic'] }, '/usr/bin/setpriv'),
    ).toEqual({
      command: '/usr/bin/setpriv',
      args: ['--pdeathsig', 'INT', '--', 'nice', '-n', '5', 'restic'],
    });
  });

  it('leaves the command alone without setpriv', () => {
    expect(tieToDaemon({ command: 'restic', args: ['version'] }, null)).toEqual({
      command: 'restic',
      args: ['version'],
    });
  });
});

describe('passThroughEnv', () => {
  it('keeps only the safe variables', () => {
    expect(
      passThroughEnv({
        PATH: '/bin',
        https_proxy: 'http://proxy:3128',
        HEN_API_TOKEN: 'secret',
        RESTIC_PASSWORD: 'leaked',
        AWS_SECRET_ACCESS_KEY: 'leaked',
      }),
    ).toEqual({ PATH: '/bin', https_proxy: 'http://proxy:3128' });
  });
});

describe('maskSecrets', () => {
  it('masks passwords in URLs and given values', () => {
    expect(maskSecrets('rest:https://alice:p%40ss@host/repo and s3:http://host/b')).toBe(
      'rest:https://alice:***@host/repo and s3:http://host/b',
    );
    expect(maskSecrets('key=abcdef1234 ab', ['abcdef1234', 'ab'])).toBe('key=*** ab');
    expect(maskSecrets('a.b*c(d', ['a.b*c('])).toBe('***d');
  });
});

describe('restic versions', () => {
  it('parses `restic version` output', () => {
    expect(parseResticVersion('restic 0.14.0 compiled with go1.19.8 on linux/amd64')).toBe(
      '0.14.0',
    );
    expect(parseResticVersion('restic 0.17.3 compiled with go1.23.3 on linux/arm64')).toBe(
      '0.17.3',
    );
    expect(parseResticVersion('restic 0.16.0-dev (compiled manually) compiled with go1.20')).toBe(
      '0.16.0-dev',
    );
    expect(parseResticVersion('something else')).toBeUndefined();
  });

  it('compares numerically', () => {
    expect(compareVersions('0.14.0', '0.14.0')).toBe(0);
    expect(compareVersions('0.9.6', '0.14.0')).toBe(-1);
    expect(compareVersions('0.13.1', '0.14.0')).toBe(-1);
    expect(compareVersions('0.16.0-dev', '0.14.0')).toBe(1);
    expect(compareVersions('1.0.0', '0.14.0')).toBe(1);
  });
});

describe('restic JSON messages', () => {
  it('maps a status message, filling what restic omits', () => {
    expect(
      toBackupProgress({
        message_type: 'status',
        seconds_elapsed: 18,
        percent_done: 0.5,
        total_files: 2,
        files_done: 1,
        total_bytes: 4000,
        bytes_done: 2000,
        current_files: ['/tmp/rx/big/r2'],
      }),
    ).toEqual({
      percentDone: 0.5,
      filesDone: 1,
      totalFiles: 2,
      bytesDone: 2000,
      totalBytes: 4000,
      secondsElapsed: 18,
      secondsRemaining: null,
      currentFiles: ['/tmp/rx/big/r2'],
    });
    expect(toBackupProgress({ message_type: 'status', seconds_remaining: 4 })).toMatchObject({
      percentDone: 0,
      secondsRemaining: 4,
      currentFiles: [],
    });
  });

  it('describes restic 0.14 and newer error messages', () => {
    // restic 0.14 on stderr, an unreadable file and an unreadable directory
    expect(
      describeErrorMessage({
        message_type: 'error',
        error: { Op: 'open', Path: '/d/secret', Err: 13 },
        during: 'archival',
        item: '/d/secret',
      }),
    ).toBe('/d/secret: open: permission denied');
    expect(
      describeErrorMessage({ message_type: 'error', error: {}, during: 'scan', item: '/d/closed' }),
    ).toBe('/d/closed: could not be read');
    expect(
      describeErrorMessage({
        message_type: 'error',
        error: { message: 'open /d/secret: permission denied' },
        during: 'archival',
        item: '/d/secret',
      }),
    ).toBe('open /d/secret: permission denied');
  });

  it('maps a snapshot', () => {
    expect(
      toResticSnapshot({
        time: '2026-11-22T03:23:02.655325886Z',
        tree: '38d86e',
        paths: ['/tmp/rx/data'],
        hostname: 'h1',
        username: 'root',
        excludes: ['*.tmp'],
        tags: ['t1'],
        id: '09253432e3e445ea8fbd769b27cdb086e4949e5bc5bf6cd76fe25f0fbc87ebe6',
        short_id: '09253432',
      }),
    ).toEqual({
      id: '09253432e3e445ea8fbd769b27cdb086e4949e5bc5bf6cd76fe25f0fbc87ebe6',
      shortId: '09253432',
      time: '2026-11-22T03:23:02.655325886Z',
      hostname: 'h1',
      username: 'root',
      paths: ['/tmp/rx/data'],
      tags: ['t1'],
      tree: '38d86e',
    });
    expect(toResticSnapshot({ id: 'ab'.repeat(32), parent: 'cd' })).toMatchObject({
      shortId: 'abababab',
      tags: [],
      parent: 'cd',
    });
  });
});
