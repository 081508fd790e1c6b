import { isStaleHere, lockHolder, processAlive } from './stale-lock';

describe('stale locks', () => {
  it('reads the holder from restic 0.14 and newer messages', () => {
    expect(
      lockHolder(
        'unable to create lock in backend: repository is already locked by PID 3680 on vm by root (UID 0, GID 0)\nlock was created at …',
      ),
    ).toEqual({ pid: 3680, host: 'vm' });
    expect(
      lockHolder(
        'Fatal: unable to create lock in backend: repository is already locked exclusively by PID 12 on nas.local by me (UID 1000, GID 1000)',
      ),
    ).toEqual({ pid: 12, host: 'nas.local' });
    expect(lockHolder('Fatal: wrong password or no key found')).toBeNull();
  });

  it('calls a lock stale only when it was made here by a process that is gone', () => {
    const gone = () => false;
    const alive = () => true;
    expect(isStaleHere({ pid: 5, host: 'me' }, 'me', gone)).toBe(true);
    expect(isStaleHere({ pid: 5, host: 'me' }, 'me', alive)).toBe(false);
    expect(isStaleHere({ pid: 5, host: 'other' }, 'me', gone)).toBe(false);
  });

  it('knows this process is alive', () => {
    expect(processAlive(process.pid)).toBe(true);
  });
});
