/**
 * ResticService against the real restic binary and real local repositories in temp folders.
 * Failures caused by locks, cancels and unreadable files are in restic-failures.test.ts.
 */
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessRunner } from '../../src/process/process-runner';
import { ResticError } from '../../src/restic/restic-error';
import { ResticServiceModule } from '../../src/repositories/restic-service.module';
import { ResticService } from '../../src/repositories/restic.service';
import type { BackupProgress, ResticLogLine } from '../../src/restic/restic.types';
import { writeDataset } from '../support/dataset';
import { SYSTEM_RESTIC, TEST_PASSWORD, localTarget, useResticBin } from '../support/restic';
import { TempDirs } from '../support/temp-dir';
import { makeTestConfig } from '../support/test-config';
import { LiveConfig } from '../../src/config/live-config';

const FULL_ID = /^[0-9a-f]{64}$/;

describe('ResticService with the real restic', () => {
  const temp = new TempDirs();
  let root: string;
  let service: ResticService;
  let restoreBin: () => void;

  beforeAll(async () => {
    restoreBin = useResticBin(SYSTEM_RESTIC);
    root = await temp.make('hen-restic-');
    service = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir: join(root, 'data'), secrets: [TEST_PASSWORD] })),
      new ProcessRunner(),
    );
  });
  afterAll(async () => {
    restoreBin();
    await temp.cleanup();
  });

  it('is wired by ResticServiceModule', async () => {
    @Global()
    @Module({
      providers: [
        { provide: LiveConfig, useValue: new LiveConfig(makeTestConfig({ dataDir: root })) },
      ],
      exports: [LiveConfig],
    })
    class ConfigForTest {}
    @Module({ imports: [ConfigForTest, ResticServiceModule] })
    class AppForTest {}
    const app = await NestFactory.createApplicationContext(AppForTest, { logger: false });
    try {
      await expect(app.get(ResticService).version()).resolves.toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      await app.close();
    }
  });

  it('accepts the installed restic version', async () => {
    const reported = execFileSync(SYSTEM_RESTIC, ['version']).toString();
    const version = await service.assertSupportedVersion();
    expect(reported).toContain(`restic ${version} `);
  });

  it('creates a repository and then finds it', async () => {
    const target = localTarget('fresh', join(root, 'fresh-repo'));
    await expect(service.repositoryExists(target)).resolves.toBe(false);
    await service.init(target);
    await expect(service.repositoryExists(target)).resolves.toBe(true);
    await expect(service.init(target)).rejects.toMatchObject({
      code: 'REPOSITORY_ALREADY_EXISTS',
    });
  });

  it('reports a missing repository as REPOSITORY_NOT_FOUND', async () => {
    const target = localTarget('ghost', join(root, 'no-such-repo'));
    const error = await service.snapshots(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResticError);
    expect(error).toMatchObject({
      code: 'REPOSITORY_NOT_FOUND',
      exitCode: 1,
      message: 'repository "ghost" does not exist at its location',
    });
  });

  it('reports a wrong password as WRONG_PASSWORD, not as a missing repository', async () => {
    const location = join(root, 'guarded-repo');
    await service.init(localTarget('guarded', location));
    const wrong = localTarget('guarded', location, 'not the password');
    const error = await service.repositoryExists(wrong).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'WRONG_PASSWORD',
      message: 'wrong password for repository "guarded"',
    });
    expect((error as ResticError).message).not.toContain('not the password');
    expect((error as ResticError).detail).not.toContain('not the password');
  });

  it('reports a backend that refuses connections as BACKEND_UNREACHABLE', async () => {
    const target = localTarget('remote', 'rest:http://hen:s3cr3t-in-url@127.0.0.1:1/repo');
    const error = await service.repositoryExists(target).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BACKEND_UNREACHABLE' });
    expect((error as ResticError).message).toContain('connection refused');
    expect(`${(error as ResticError).message}\n${(error as ResticError).detail}`).not.toContain(
      's3cr3t-in-url',
    );
  });

  describe('backup', () => {
    const location = () => join(root, 'backup-repo');
    const target = () => localTarget('main', location());
    let source: string;

    beforeAll(async () => {
      await service.init(target());
      source = join(root, 'source');
      await writeDataset(source, {
        'docs/report.txt': 'quarterly numbers\n',
        'docs/draft.tmp': 'scratch',
        'photos/cat.jpg': { random: 64 * 1024 },
        'cache/blob.bin': { random: 1024 },
        'empty/': '',
      });
    });

    it('makes a snapshot with tags and host, reporting progress and a full id', async () => {
      const progress: BackupProgress[] = [];
      const logs: ResticLogLine[] = [];
      const result = await service.backup(
        target(),
        {
          paths: [source],
          excludes: ['*.tmp', join(source, 'cache')],
          host: 'hen-host',
          tags: ['hen-backup', 'def:pictures'],
        },
        { onProgress: (p) => progress.push(p), onLog: (l) => logs.push(l) },
      );

      expect(result.snapshotId).toMatch(FULL_ID);
      expect(result).toMatchObject({ partial: false, warnings: [], filesNew: 2 });
      expect(result.totalBytesProcessed).toBe('quarterly numbers\n'.length + 64 * 1024);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.every((p) => p.percentDone >= 0 && p.percentDone <= 1)).toBe(true);
      expect(logs.map((l) => l.text).join('\n')).not.toContain(TEST_PASSWORD);

      const snapshots = await service.snapshots(target(), { tags: ['def:pictures'] });
      expect(snapshots).toHaveLength(1);
      expect(snapshots[0]).toMatchObject({
        id: result.snapshotId,
        shortId: result.snapshotId.slice(0, 8),
        hostname: 'hen-host',
        paths: [source],
        tags: ['hen-backup', 'def:pictures'],
      });
      await expect(service.snapshots(target(), { host: 'other-host' })).resolves.toEqual([]);
      await expect(
        service.snapshots(target(), { tags: ['def:pictures', 'not-there'] }),
      ).resolves.toEqual([]);

      const listed: string[] = [];
      await service.run(target(), ['ls', result.snapshotId], {
        json: true,
        onJson: (m) => {
          const node = m as { struct_type?: string; path?: string };
          if (node.struct_type === 'node' && node.path) listed.push(node.path);
        },
      });
      expect(listed).toEqual(
        expect.arrayContaining([
          join(source, 'docs/report.txt'),
          join(source, 'photos/cat.jpg'),
          join(source, 'empty'),
        ]),
      );
      expect(listed).not.toContain(join(source, 'docs/draft.tmp'));
      expect(listed.filter((p) => p.startsWith(join(source, 'cache')))).toEqual([]);
    });

    it('learns the full snapshot id from the cache restic writes, with no second restic run', async () => {
      const runner = new ProcessRunner();
      const commands: string[][] = [];
      const run = runner.run.bind(runner);
      jest.spyOn(runner, 'run').mockImplementation((spec) => {
        commands.push(spec.args);
        return run(spec);
      });
      const counted = new ResticService(
        new LiveConfig(makeTestConfig({ dataDir: join(root, 'data'), secrets: [TEST_PASSWORD] })),
        runner,
      );
      const result = await counted.backup(target(), {
        paths: [join(source, 'docs')],
        excludes: [],
        host: 'hen-host',
        tags: ['cache-lookup'],
      });
      expect(commands.filter((args) => args.includes('snapshots'))).toEqual([]);
      expect(commands.filter((args) => args.includes('backup'))).toHaveLength(1);
      const [made] = await service.snapshots(target(), { tags: ['cache-lookup'] });
      expect(result.snapshotId).toBe(made.id);
    });

    it('skips missing paths with a warning', async () => {
      const missing = join(root, 'not-there');
      const result = await service.backup(target(), {
        paths: [join(source, 'docs'), missing],
        excludes: [],
        host: 'hen-host',
        tags: [],
      });
      expect(result.snapshotId).toMatch(FULL_ID);
      expect(result.warnings).toEqual([`${missing} does not exist, skipping`]);
    });

    it('fails with PATH_NOT_FOUND when no path exists', async () => {
      const error = await service
        .backup(target(), { paths: [join(root, 'nowhere')], excludes: [], host: 'h', tags: [] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'PATH_NOT_FOUND',
        message: 'none of the paths to back up exist',
      });
    });

    it('passes limits as restic flags and runs restic under nice and ionice', async () => {
      const record = join(root, 'wrapper-record.txt');
      const wrapper = join(root, 'recording-restic');
      // the wrapper is exec'd by nice/ionice, so it sees the priority restic would get
      await writeFile(
        wrapper,
        `#!/bin/sh\n{ echo "args=$*"; echo "repo=$RESTIC_REPOSITORY"; echo "nice=$(nice)"; echo "io=$(ionice -p $$)"; } > '${record}'\n` +
          `exec ${SYSTEM_RESTIC} "$@"\n`,
        { mode: 0o755 },
      );
      const restore = useResticBin(wrapper);
      try {
        await service.run(target(), ['cat', 'config'], {
          limits: {
            upload: 200 * 1024,
            download: 1_000_000,
            nice: 7,
            ionice: { class: 'best-effort', level: 6 },
          },
          onStdoutLine: () => undefined,
        });
      } finally {
        restore();
      }
      const lines = (await readFile(record, 'utf8')).trim().split('\n');
      expect(lines).toEqual([
        'args=--limit-upload 200 --limit-download 976 cat config',
        `repo=${location()}`,
        'nice=7',
        'io=best-effort: prio 6',
      ]);
    });
  });

  describe('when restic is not installed', () => {
    let restore: () => void;
    beforeEach(() => (restore = useResticBin('/nonexistent/restic')));
    afterEach(() => restore());

    it('says how to install it', async () => {
      const error = await service.assertSupportedVersion().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'RESTIC_NOT_INSTALLED' });
      expect((error as Error).message).toMatch(/apt-get install restic.*RESTIC_BIN/);
    });

    it('also notices behind nice', async () => {
      const target = localTarget('main', join(root, 'backup-repo'));
      await expect(
        service.run(target, ['snapshots'], { limits: { nice: 5 } }),
      ).rejects.toMatchObject({ code: 'RESTIC_NOT_INSTALLED' });
    });
  });
});
