import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { BackupsService } from '../backups/backups.service';
import { FakeClock } from '../../test/support/fake-clock';
import type { BackupConfig } from '../config/config.types';
import { PRIORITY } from '../config/priority';
import { makeRepositoryConfig, makeTestConfig } from '../../test/support/test-config';
import { FakeFileWatcher } from '../../test/support/fake-file-watcher';
import { WatchTrigger } from './watch-trigger.service';
import { BackupRequestedEvent } from '../common/events/job-requested.events';
import { LiveConfig } from '../config/live-config';

function backup(name: string, overrides: Partial<BackupConfig> = {}): BackupConfig {
  return {
    name,
    paths: [`/home/me/${name}`],
    excludes: [],
    tags: [],
    repositories: ['local'],
    schedules: [],
    watch: { wait: { minMs: 1000, maxMs: 10_000 } },
    priority: PRIORITY.normal,
    limits: {},
    retention: null,
    prune: null,
    hooks: { before: [], after: [] },
    ...overrides,
  };
}

describe('WatchTrigger', () => {
  let clock: FakeClock;
  let watcher: FakeFileWatcher;
  let requests: string[];
  let logs: { level: string; entry: Record<string, unknown> }[];
  let trigger: WatchTrigger;
  let request: jest.Mock;
  let live: LiveConfig;

  function configWith(backups: BackupConfig[]) {
    return makeTestConfig({
      dataDir: '/home/me/docs/.hen-data',
      repositories: {
        local: makeRepositoryConfig('local', '/home/me/docs/repo'),
        s3: makeRepositoryConfig('s3', 's3:https://s3.example.com/bucket'),
      },
      backups: Object.fromEntries(backups.map((b) => [b.name, b])),
    });
  }

  function makeTrigger(backups: BackupConfig[]): WatchTrigger {
    live = new LiveConfig(configWith(backups));
    request = jest.fn((name: string) => {
      requests.push(name);
      return { id: requests.length };
    });
    // BackupsService's own listener, over a recorded request
    const service = { list: () => backups, request } as unknown as BackupsService;
    const emitter = new EventEmitter2();
    emitter.on(BackupRequestedEvent.event, (event: BackupRequestedEvent) =>
      BackupsService.prototype.onBackupRequested.call(service, event),
    );
    return new WatchTrigger(live, emitter, watcher, clock);
  }

  beforeEach(() => {
    clock = new FakeClock();
    watcher = new FakeFileWatcher();
    requests = [];
    logs = [];
    for (const level of ['log', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logs.push({ level, entry: args[0] as Record<string, unknown> });
      });
    }
  });

  afterEach(async () => {
    await trigger.stop();
    jest.restoreAllMocks();
  });

  it('watches the paths of the backups that have `watch`, and only those', async () => {
    trigger = makeTrigger([
      backup('docs', { paths: ['/home/me/docs', '/home/me/notes'] }),
      backup('music', { watch: null }),
    ]);
    trigger.start();
    await trigger.whenReady();
    expect(watcher.watches.map((w) => w.paths)).toEqual([['/home/me/docs', '/home/me/notes']]);
  });

  it('asks for one backup, by the watch trigger, once a burst has settled', () => {
    trigger = makeTrigger([backup('docs')]);
    trigger.start();
    const [watch] = watcher.watches;
    for (let i = 0; i < 100; i++) watch.change(`/home/me/docs/f${i}`);
    clock.advance(999);
    expect(requests).toEqual([]);
    clock.advance(1);
    expect(request.mock.calls).toEqual([['docs', 'watch']]);
    clock.advance(60_000);
    expect(requests).toEqual(['docs']);
  });

  it('asks by max under a steady stream, then again for the next burst', () => {
    trigger = makeTrigger([backup('docs')]);
    trigger.start();
    const [watch] = watcher.watches;
    for (let t = 0; t < 10_000; t += 200) {
      watch.change('/home/me/docs/busy.log');
      clock.advance(200);
    }
    expect(requests).toEqual(['docs']);
    watch.change('/home/me/docs/later.txt');
    clock.advance(1000);
    expect(requests).toEqual(['docs', 'docs']);
  });

  it('logs the end of a burst with the number of changes', () => {
    trigger = makeTrigger([backup('docs')]);
    trigger.start();
    watcher.watches[0].change('/home/me/docs/a');
    watcher.watches[0].change('/home/me/docs/b');
    clock.advance(1000);
    expect(logs).toContainEqual({
      level: 'log',
      entry: expect.objectContaining({
        backup: 'docs',
        changes: 2,
        reason: 'settled',
        samplePaths: ['/home/me/docs/a', '/home/me/docs/b'],
      }),
    });
  });

  it('keeps the bursts of different backups apart', () => {
    trigger = makeTrigger([
      backup('docs'),
      backup('code', { watch: { wait: { minMs: 5000, maxMs: 9000 } } }),
    ]);
    trigger.start();
    const [docs, code] = watcher.watches;
    docs.change('/home/me/docs/a');
    code.change('/home/me/code/a');
    clock.advance(1000);
    expect(requests).toEqual(['docs']);
    clock.advance(4000);
    expect(requests).toEqual(['docs', 'code']);
  });

  it("ignores the backup's excludes and hen-backup's own data and local repositories", () => {
    trigger = makeTrigger([
      backup('docs', { paths: ['/home/me/docs'], excludes: ['*.tmp', '.cache'] }),
    ]);
    trigger.start();
    const { ignore } = watcher.watches[0].options;
    expect(ignore('/home/me/docs/a.tmp')).toBe(true);
    expect(ignore('/home/me/docs/.cache/x/y')).toBe(true);
    expect(ignore('/home/me/docs/.hen-data')).toBe(true);
    expect(ignore('/home/me/docs/.hen-data/state.db-wal')).toBe(true);
    expect(ignore('/home/me/docs/repo/data/00/0011')).toBe(true);
    expect(ignore('/home/me/docs/repository')).toBe(false);
    expect(ignore('/home/me/docs/letter.odt')).toBe(false);
  });

  it('warns about exclude patterns restic would refuse', () => {
    trigger = makeTrigger([backup('docs', { excludes: ['[', '*.tmp'] })]);
    trigger.start();
    expect(logs).toContainEqual({
      level: 'warn',
      entry: expect.objectContaining({ backup: 'docs', patterns: ['['] }),
    });
  });

  it('logs a failed request instead of throwing into the watcher', () => {
    trigger = makeTrigger([backup('docs')]);
    request.mockImplementation(() => {
      throw new Error('queue closed');
    });
    trigger.start();
    watcher.watches[0].change('/home/me/docs/a');
    expect(() => clock.advance(1000)).not.toThrow();
    expect(logs).toContainEqual({
      level: 'error',
      entry: expect.objectContaining({
        backup: 'docs',
        msg: expect.stringContaining('queue closed'),
      }),
    });
  });

  it('logs each kind of watch error once at error level, repeats at debug', () => {
    trigger = makeTrigger([backup('docs')]);
    trigger.start();
    const { onError } = watcher.watches[0].options;
    const limit = () =>
      Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), {
        code: 'ENOSPC',
      });
    onError(limit());
    onError(limit());
    expect(logs.filter((l) => l.entry.code === 'ENOSPC').map((l) => l.level)).toEqual([
      'error',
      'debug',
    ]);
  });

  it('stops: closes the watchers and drops a pending burst', async () => {
    trigger = makeTrigger([backup('docs')]);
    trigger.start();
    const [watch] = watcher.watches;
    watch.options.onChange('/home/me/docs/a');
    await trigger.onModuleDestroy();
    watch.options.onChange('/home/me/docs/b');
    clock.advance(60_000);
    expect(watch.closed).toBe(true);
    expect(requests).toEqual([]);
  });

  it('starts once however often start() is called', () => {
    trigger = makeTrigger([backup('docs')]);
    trigger.start();
    trigger.start();
    expect(watcher.watches).toHaveLength(1);
  });

  describe('on reload', () => {
    it('keeps unchanged watchers, closes removed ones, and watches new and changed ones anew', () => {
      trigger = makeTrigger([backup('docs'), backup('music'), backup('photos')]);
      trigger.start();
      const [docs, music, photos] = watcher.watches;
      live.replace(
        configWith([
          backup('docs'),
          backup('photos', { paths: ['/home/me/photos', '/home/me/camera'] }),
          backup('videos'),
        ]),
      );
      expect([docs.closed, music.closed, photos.closed]).toEqual([false, true, true]);
      expect(watcher.watches.slice(3).map((w) => w.paths)).toEqual([
        ['/home/me/photos', '/home/me/camera'],
        ['/home/me/videos'],
      ]);
      expect(trigger.activeCount()).toBe(3);
    });

    it('keeps watchers whose own settings did not change when repositories come and go', () => {
      trigger = makeTrigger([backup('docs'), backup('music')]);
      trigger.start();
      const [docs, music] = watcher.watches;
      const changed = configWith([backup('docs'), backup('music')]);
      // a new local repository outside every watched path, and one inside /home/me/music
      changed.repositories.usb = makeRepositoryConfig('usb', '/mnt/usb/repo');
      changed.repositories.inMusic = makeRepositoryConfig('inMusic', '/home/me/music/.repo');
      live.replace(changed);
      expect([docs.closed, music.closed]).toEqual([false, true]);
      expect(watcher.watches).toHaveLength(3);
    });

    it('keeps the pending burst of an unchanged watcher, and asks at once for a changed one', () => {
      trigger = makeTrigger([backup('docs'), backup('music')]);
      trigger.start();
      const [docs, music] = watcher.watches;
      docs.change('/home/me/docs/a');
      music.change('/home/me/music/b');
      live.replace(configWith([backup('docs'), backup('music', { excludes: ['*.tmp'] })]));
      expect(request.mock.calls).toEqual([['music', 'watch']]);
      clock.advance(1000);
      expect(requests).toEqual(['music', 'docs']);
    });

    it('drops the pending burst of a removed backup', () => {
      trigger = makeTrigger([backup('docs'), backup('music')]);
      trigger.start();
      watcher.watches[1].change('/home/me/music/b');
      live.replace(configWith([backup('docs')]));
      clock.advance(60_000);
      expect(requests).toEqual([]);
    });

    it('watches nothing before start, and nothing after stop', async () => {
      trigger = makeTrigger([backup('docs')]);
      live.replace(configWith([backup('docs'), backup('music')]));
      expect(watcher.watches).toHaveLength(0);
      trigger.start();
      await trigger.stop();
      live.replace(configWith([backup('videos')]));
      expect(watcher.watches.map((w) => w.closed)).toEqual([true, true]);
    });
  });

  it('scans at most two trees at a time, the next one as soon as one is done', async () => {
    watcher = new FakeFileWatcher(false);
    trigger = makeTrigger(['a', 'b', 'c', 'd'].map((name) => backup(name)));
    trigger.start();
    let ready = false;
    void trigger.whenReady().then(() => (ready = true));
    expect(watcher.watches.map((w) => w.paths[0])).toEqual(['/home/me/a', '/home/me/b']);
    watcher.watches[1].ready();
    expect(watcher.watches.map((w) => w.paths[0])).toEqual([
      '/home/me/a',
      '/home/me/b',
      '/home/me/c',
    ]);
    // a watcher closed by a reload before its scan ended frees its place too
    live.replace(configWith([backup('b'), backup('c'), backup('d')]));
    expect(watcher.watches[0].closed).toBe(true);
    expect(watcher.watches.map((w) => w.paths[0])).toContain('/home/me/d');
    watcher.watches[2].ready();
    watcher.watches[3].ready();
    await trigger.whenReady();
    expect(ready).toBe(true);
    expect(trigger.activeCount()).toBe(3);
  });
});
