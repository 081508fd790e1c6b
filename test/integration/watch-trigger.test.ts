/**
 * WatchTrigger over real files, the real chokidar and the real clock. The trigger only enqueues,
 * so a recording stand-in for BackupsService.request is the observable: what was asked, and how
 * often. Outcomes are polled for with a deadline; "did not happen" is checked over a generous
 * quiet period.
 */
import { Logger } from '@nestjs/common';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { BackupsService } from '../../src/backups/backups.service';
import { BackupRequestedEvent } from '../../src/common/events/job-requested.events';
import { Clock } from '../../src/common/clock';
import type { BackupConfig } from '../../src/config/config.types';
import { PRIORITY } from '../../src/config/priority';
import { FileWatcher } from '../../src/triggers/file-watcher';
import { WatchTrigger } from '../../src/triggers/watch-trigger.service';
import { waitFor } from '../support/wait-for';
import { TempDirs } from '../support/temp-dir';
import { makeRepositoryConfig, makeTestConfig } from '../support/test-config';
import { LiveConfig } from '../../src/config/live-config';

const MIN_MS = 1000;
/** long enough to see nothing more happen after a burst: min, plus room for a slow machine */
const QUIET_MS = MIN_MS + 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WatchTrigger on real files', () => {
  const temp = new TempDirs();
  let root: string;
  let requests: { name: string; trigger: string }[];
  let trigger: WatchTrigger | null;

  /** Starts a trigger for one backup named "docs" and waits for its initial scan. */
  async function startTrigger(
    overrides: Partial<BackupConfig> = {},
    wait = { minMs: MIN_MS, maxMs: 30_000 },
  ): Promise<void> {
    const backup: BackupConfig = {
      name: 'docs',
      paths: [root],
      excludes: [],
      tags: [],
      repositories: ['local'],
      schedules: [],
      watch: { wait },
      priority: PRIORITY.normal,
      limits: {},
      retention: null,
      prune: null,
      hooks: { before: [], after: [] },
      ...overrides,
    };
    const config = makeTestConfig({
      dataDir: join(root, '.hen-data'),
      repositories: { local: makeRepositoryConfig('local', join(root, 'repo')) },
      backups: { docs: backup },
    });
    const backups = {
      list: () => [backup],
      request: (name: string, by: string) => ({ id: requests.push({ name, trigger: by }) }),
    } as unknown as BackupsService;
    // the trigger asks by event; BackupsService's own listener answers, over the recorder
    const emitter = new EventEmitter2();
    emitter.on(BackupRequestedEvent.event, (event: BackupRequestedEvent) =>
      BackupsService.prototype.onBackupRequested.call(backups, event),
    );
    const clock = new Clock();
    trigger = new WatchTrigger(new LiveConfig(config), emitter, new FileWatcher(clock), clock);
    trigger.start();
    await trigger.whenReady();
  }

  /** Waits for the request count to reach `count` within a generous bound. */
  const requested = (count: number, what: string) =>
    waitFor(() => requests.length >= count, what, 15_000);

  beforeEach(async () => {
    root = await temp.make('hen-watch-');
    requests = [];
    trigger = null;
    for (const level of ['log', 'warn', 'debug'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    }
  });

  afterEach(async () => {
    await trigger?.stop();
    jest.restoreAllMocks();
    await temp.cleanup();
  });

  it('asks for exactly one backup for 5,000 files written in a burst', async () => {
    await startTrigger();
    // 50 new folders of 100 files, written 500 at a time
    const folders = Array.from({ length: 50 }, (_, i) => join(root, `folder-${i}`));
    for (const folder of folders) await mkdir(folder);
    const files = folders.flatMap((folder) =>
      Array.from({ length: 100 }, (_, i) => join(folder, `file-${i}.txt`)),
    );
    for (let i = 0; i < files.length; i += 500) {
      await Promise.all(files.slice(i, i + 500).map((file) => writeFile(file, file)));
    }
    // the writes never paused for `min`, so nothing may have been asked yet
    expect(requests).toEqual([]);
    await requested(1, 'the request after the burst');
    await sleep(QUIET_MS);
    expect(requests).toEqual([{ name: 'docs', trigger: 'watch' }]);
  });

  it('asks by max under a steady stream of changes', async () => {
    await startTrigger({}, { minMs: MIN_MS, maxMs: 3000 });
    let streaming = true;
    const stream = (async () => {
      for (let i = 0; streaming && i < 100; i++) {
        await writeFile(join(root, 'busy.log'), `line ${i}\n`, { flag: 'a' });
        await sleep(200);
      }
    })();
    try {
      await requested(1, 'a request while the stream goes on');
      // a file written every 200 ms never leaves `min` of quiet: only max can have asked
      expect(streaming).toBe(true);
    } finally {
      streaming = false;
      await stream;
    }
  });

  it('sees renames and deletions of files and folders', async () => {
    await mkdir(join(root, 'album', 'inner'), { recursive: true });
    await writeFile(join(root, 'album', 'inner', 'photo.jpg'), 'jpg');
    await writeFile(join(root, 'note.txt'), 'note');
    await writeFile(join(root, 'old.txt'), 'old');
    await startTrigger();
    const steps: [string, () => Promise<void>][] = [
      ['a file renamed', () => rename(join(root, 'note.txt'), join(root, 'note-2.txt'))],
      ['a file deleted', () => rm(join(root, 'old.txt'))],
      ['a folder renamed', () => rename(join(root, 'album'), join(root, 'album-2'))],
      [
        'a file written in the renamed folder',
        () => writeFile(join(root, 'album-2', 'inner', 'photo.jpg'), 'edited'),
      ],
      ['a folder deleted', () => rm(join(root, 'album-2'), { recursive: true })],
      [
        'folders created',
        async () => {
          await mkdir(join(root, 'new', 'deeper'), { recursive: true });
        },
      ],
    ];
    for (const [index, [what, step]] of steps.entries()) {
      await step();
      await requested(index + 1, what);
    }
    expect(requests).toHaveLength(steps.length);
  });

  it('picks up a watched path created after start', async () => {
    const later = join(root, 'later', 'photos');
    await startTrigger({ paths: [later] });
    await mkdir(later, { recursive: true });
    await requested(1, 'the request for the new path');
    await writeFile(join(later, 'first.jpg'), 'jpg');
    await requested(2, 'the request for a file in it');
  });

  it('is not set off by excluded files nor by its own data and repository', async () => {
    await startTrigger({ excludes: ['*.tmp', 'cache'] });
    await mkdir(join(root, 'cache', 'thumbs'), { recursive: true });
    await mkdir(join(root, '.hen-data'), { recursive: true });
    await mkdir(join(root, 'repo', 'data'), { recursive: true });
    for (let i = 0; i < 50; i++) {
      await writeFile(join(root, `scratch-${i}.tmp`), 'x');
      await writeFile(join(root, 'cache', 'thumbs', `t-${i}.png`), 'x');
      await writeFile(join(root, '.hen-data', 'state.db-wal'), `${i}`, { flag: 'a' });
      await writeFile(join(root, 'repo', 'data', `pack-${i}`), 'x');
    }
    await sleep(QUIET_MS);
    expect(requests).toEqual([]);
    // the watcher was listening all along
    await writeFile(join(root, 'kept.txt'), 'x');
    await requested(1, 'the request for a file that is not excluded');
  });
});
