import {
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Daemon, startDaemon, type StartedDaemon } from './support/daemon';
import { unixMode } from '../../src/restic/restic-browse-json';
import { countingRestic, resticDirect } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd, waitForJobs } from './support/wait';

const PASSWORD = 'snapshot-index-password-8812';
const LONG_NAME = `${'long-name-'.repeat(24)}end.txt`; // 247 bytes

interface LsNode {
  path: string;
  name: string;
  type: string;
  size?: number;
  mtime: string;
  mode: number;
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
const ms = (time: string) => Math.floor(Date.parse(time));

/**
 * The persistent snapshot index, through GraphQL only, against what the real restic says: a
 * backup is indexed on its own; every folder of every snapshot and every search answer equal
 * `restic ls`; a forget removes its entries; a restart keeps the index; a damaged file is rebuilt.
 */
describe('the snapshot index', () => {
  const dir = tempDir('e2e-index');
  const source = join(dir.path, 'source');
  const repository = join(dir.path, 'repo');
  const restic = countingRestic(dir.path);
  const config = {
    hostname: 'index-host',
    // the start's warm-up says at debug what it read
    log: { level: 'debug' },
    repositories: { local: { location: repository, password: PASSWORD } },
    backups: { files: { paths: [source], repositories: ['local'] } },
  };
  let started: StartedDaemon;
  let daemon: Daemon;
  let client: GraphQLTestClient;
  const snapshots: string[] = [];
  const listings = new Map<string, LsNode[]>();

  const lsOf = (id: string): LsNode[] =>
    resticDirect(repository, PASSWORD, ['ls', '--json', id])
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LsNode & { struct_type?: string; message_type?: string })
      .filter((n) => (n.struct_type ?? n.message_type) === 'node');
  const lsRuns = () => restic.calls().filter((line) => /\bls\b/.test(line)).length;

  const start = async () => {
    // built: the bundle starts the index's thread from dist/index-build-worker.js
    started = await startDaemon(dir.path, config, {
      env: { RESTIC_BIN: restic.bin },
      entry: 'dist',
    });
    daemon = started.daemon;
    client = started.client;
  };
  const states = async (): Promise<string[]> => {
    const { snapshots: page } = await client.data(
      `{ snapshots(repository: "local") { nodes { snapshotId index { state entryCount } } } }`,
    );
    return page.nodes.map((n: any) => n.index.state);
  };
  const waitIndexed = (count: number) =>
    waitFor(
      async () => {
        const all = await states();
        return all.length === count && all.every((s) => s === 'INDEXED');
      },
      `${count} indexed snapshots`,
      90_000,
    );
  const backUp = async () => {
    const { runBackup } = await client.data(`mutation { runBackup(name: "files") { id } }`);
    const job = await waitForEnd(client, runBackup.id, 60_000, 'snapshotIds');
    expect(job.state).toBe('SUCCEEDED');
    snapshots.push(job.snapshotIds[0]);
    listings.set(job.snapshotIds[0], lsOf(job.snapshotIds[0]));
  };
  const files = async (snapshot: string, path: string) => {
    const { snapshot: found } = await client.data(
      `query($s: String!, $p: String) { snapshot(repository: "local", snapshot: $s) {
         files(path: $p, first: 500) { totalCount nodes { name type size mtime mode totalSize fileCount } } } }`,
      { s: snapshot, p: path },
    );
    return found.files;
  };
  const SEARCH = `query($g: String, $n: String, $first: Int, $after: String, $s: String, $under: String,
      $size: SizeRange, $modified: TimeRange, $taken: TimeRange, $r: String) {
    searchSnapshots(repository: $r, snapshot: $s, glob: $g, name: $n, first: $first, after: $after,
        under: $under, size: $size, modified: $modified, taken: $taken) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id path repositoryName versions { snapshotId present type size mtime snapshots } }
    } }`;
  const searchAll = async (variables: Record<string, unknown>) => {
    const found: any[] = [];
    let after: string | null = null;
    for (;;) {
      const { searchSnapshots }: any = await client.data(SEARCH, {
        r: 'local',
        first: 7,
        after,
        ...variables,
      });
      found.push(...searchSnapshots.nodes);
      if (!searchSnapshots.pageInfo.hasNextPage) return found;
      after = searchSnapshots.pageInfo.endCursor;
    }
  };

  beforeAll(async () => {
    mkdirSync(join(source, 'docs', 'deep', 'deeper'), { recursive: true });
    mkdirSync(join(source, 'photos'), { recursive: true });
    mkdirSync(join(source, 'empty'), { recursive: true });
    writeFileSync(join(source, 'docs', 'budget.xlsx'), 'v1');
    writeFileSync(join(source, 'docs', 'deep', 'deeper', 'notes.txt'), 'deep notes');
    writeFileSync(join(source, 'docs', LONG_NAME), 'long');
    writeFileSync(join(source, 'photos', 'été à Zürich ✓.jpg'), Buffer.alloc(3000, 1));
    writeFileSync(join(source, 'photos', 'old.jpg'), Buffer.alloc(1500, 2));
    symlinkSync('docs/budget.xlsx', join(source, 'budget-link'));
    await start();
    await backUp();
    // a content change, a rename, a deletion, a new unicode name
    writeFileSync(join(source, 'docs', 'budget.xlsx'), 'version two');
    utimesSync(join(source, 'docs', 'budget.xlsx'), new Date(), new Date(Date.now() + 5_000));
    renameSync(join(source, 'docs', 'deep'), join(source, 'docs', 'renamed'));
    rmSync(join(source, 'photos', 'old.jpg'));
    writeFileSync(join(source, 'photos', '日本語のファイル.txt'), 'こんにちは');
    await backUp();
    // nothing changes: the third snapshot shares every folder with the second
    await backUp();
  }, 240_000);

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('indexes each backup on its own, in an on-idle index job', async () => {
    await waitIndexed(3);
    const { jobs } = await client.data(
      `{ jobs(first: 50, filter: { operations: [INDEX] }) { nodes { trigger priority state } } }`,
    );
    expect(jobs.nodes.length).toBeGreaterThan(0);
    expect(jobs.nodes.every((j: any) => j.state === 'SUCCEEDED')).toBe(true);
    expect(jobs.nodes.some((j: any) => j.trigger === 'FOLLOW_UP')).toBe(true);
    const { snapshotIndex } = await client.data(
      `{ snapshotIndex { bytes indexedSnapshots repositories { repositoryName bytes indexedSnapshots } } }`,
    );
    expect(snapshotIndex.indexedSnapshots).toBe(3);
    expect(snapshotIndex.bytes).toBeGreaterThan(0);
    expect(snapshotIndex.repositories).toEqual([
      { repositoryName: 'local', bytes: expect.any(Number), indexedSnapshots: 3 },
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${started.port}/metrics`)).text();
    expect(metrics).toMatch(/^hen_backup_snapshot_index_bytes\{hostname="index-host"\} [1-9]\d*$/m);
    expect(metrics).toMatch(
      /^hen_backup_snapshot_index_snapshots\{repository="local",hostname="index-host"\} 3$/m,
    );
  });

  it('answers every folder of every snapshot as restic ls does, without running restic', async () => {
    await waitIndexed(3);
    const before = lsRuns();
    for (const id of snapshots) {
      const nodes = listings.get(id)!;
      const folders = ['/', ...nodes.filter((n) => n.type === 'dir').map((n) => n.path)];
      for (const folder of folders) {
        const children = nodes
          .filter((n) => parentOf(n.path) === folder)
          .sort((a, b) => (a.name < b.name ? -1 : 1));
        const answer = await files(id, folder);
        expect(answer.totalCount).toBe(children.length);
        expect(
          answer.nodes.map((n: any) => [n.name, n.type.toLowerCase(), n.size, ms(n.mtime), n.mode]),
        ).toEqual(
          children.map((n) => [
            n.name,
            n.type,
            n.type === 'file' ? n.size : 0,
            ms(n.mtime),
            unixMode(n.mode),
          ]),
        );
        for (const entry of answer.nodes.filter((n: any) => n.type === 'DIR')) {
          const path = folder === '/' ? `/${entry.name}` : `${folder}/${entry.name}`;
          const below = nodes.filter((n) => n.type === 'file' && n.path.startsWith(`${path}/`));
          expect([entry.totalSize, entry.fileCount]).toEqual([
            below.reduce((sum, n) => sum + (n.size ?? 0), 0),
            below.length,
          ]);
        }
      }
    }
    expect(lsRuns()).toBe(before);
  });

  it('finds every path of the snapshots, with the versions where it changed, page by page', async () => {
    await waitIndexed(3);
    const found = await searchAll({ g: '*' });
    // what restic ls says: per path, its state in each snapshot, oldest first
    const expected = new Map<string, [string, number, number][]>();
    for (const id of snapshots) {
      for (const node of listings.get(id)!) {
        const versions = expected.get(node.path) ?? [];
        const size = node.type === 'file' ? node.size! : 0;
        const last = versions.at(-1);
        const previous = last && listings.get(last[0])!.find((n) => n.path === node.path)!;
        if (
          previous &&
          previous.mtime === node.mtime &&
          (previous.size ?? 0) === (node.size ?? 0) &&
          previous.type === node.type &&
          previous.mode === node.mode &&
          snapshots.indexOf(last[0]) + last[2] === snapshots.indexOf(id)
        ) {
          last[2]++;
        } else {
          versions.push([id, size, 1]);
        }
        expected.set(node.path, versions);
      }
    }
    expect(found.map((f) => f.path).sort()).toEqual([...expected.keys()].sort());
    for (const item of found) {
      expect([
        item.path,
        item.versions.map((v: any) => [v.snapshotId, v.size, v.snapshots]),
      ]).toEqual([item.path, expected.get(item.path)]);
    }

    const unicode = await searchAll({ n: 'zürich' });
    expect(unicode.map((f) => f.path)).toEqual([join(source, 'photos', 'été à Zürich ✓.jpg')]);
    const long = await searchAll({ g: `*${LONG_NAME.slice(200)}` });
    expect(long.map((f) => f.path)).toEqual([join(source, 'docs', LONG_NAME)]);
    const notes = await searchAll({ n: 'notes', under: join(source, 'docs') });
    expect(notes.map((f) => f.path).sort()).toEqual([
      join(source, 'docs', 'deep', 'deeper', 'notes.txt'),
      join(source, 'docs', 'renamed', 'deeper', 'notes.txt'),
    ]);
    const big = await searchAll({ g: '*.jpg', size: { min: 2000 } });
    expect(big.map((f) => f.path)).toEqual([join(source, 'photos', 'été à Zürich ✓.jpg')]);
    const inFirst = await searchAll({ g: '*.jpg', s: snapshots[0].slice(0, 8) });
    expect(inFirst).toHaveLength(2);
  });

  it('tells the history of a path, including where it disappeared', async () => {
    await waitIndexed(3);
    const { pathHistory } = await client.data(
      `query($p: String!) { pathHistory(repository: "local", path: $p) {
         id path versions { snapshotId present size snapshots snapshot { id } } } }`,
      { p: join(source, 'photos', 'old.jpg') },
    );
    expect(pathHistory).toHaveLength(1);
    expect(pathHistory[0].versions).toEqual([
      {
        snapshotId: snapshots[0],
        present: true,
        size: 1500,
        snapshots: 1,
        snapshot: { id: `Snapshot:local:${snapshots[0]}` },
      },
      {
        snapshotId: snapshots[1],
        present: false,
        size: null,
        snapshots: 2,
        snapshot: { id: `Snapshot:local:${snapshots[1]}` },
      },
    ]);
    const { node } = await client.data(
      `query($id: ID!) { node(id: $id) { ... on IndexedPath { path } } }`,
      { id: pathHistory[0].id },
    );
    expect(node).toEqual({ path: join(source, 'photos', 'old.jpg') });
  });

  it('refuses malformed globs and ranges with BAD_USER_INPUT', async () => {
    for (const variables of [
      { g: '[abc' },
      { g: 'a]' },
      { g: '*', n: 'both' },
      { g: '*', size: { min: 10, max: 1 } },
      { g: '*', taken: { min: '2026-01-02T00:00:00Z', max: '2026-01-01T00:00:00Z' } },
      { g: '*', under: 'relative/path' },
      { g: '*', first: 0 },
    ]) {
      const answer = await client.request(SEARCH, { r: 'local', ...variables });
      expect([variables, answer.errors?.[0]?.extensions?.code]).toEqual([
        variables,
        'BAD_USER_INPUT',
      ]);
    }
    const unknown = await client.request(SEARCH, { r: 'nowhere', g: '*' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('drops a forgotten snapshot from the index', async () => {
    await waitIndexed(3);
    const { forgetSnapshots } = await client.data(
      `mutation($ids: [String!]!) { forgetSnapshots(repository: "local", ids: $ids) { id } }`,
      { ids: [snapshots[0]] },
    );
    expect((await waitForEnd(client, forgetSnapshots.id, 90_000)).state).toBe('SUCCEEDED');
    await waitIndexed(2);
    // the forget's follow-up index job (on-idle, after jobs.idleDelay) drops it
    await waitFor(
      async () =>
        (await client.data(`{ snapshotIndex { indexedSnapshots } }`)).snapshotIndex
          .indexedSnapshots === 2,
      'the forgotten snapshot to leave the index',
    );
    const found = await searchAll({ g: '*' });
    const ids = new Set(found.flatMap((f) => f.versions.map((v: any) => v.snapshotId)));
    expect(ids.has(snapshots[0])).toBe(false);
    expect(found.map((f) => f.path)).not.toContain(join(source, 'photos', 'old.jpg'));
    const { snapshotIndex } = await client.data(`{ snapshotIndex { indexedSnapshots } }`);
    expect(snapshotIndex.indexedSnapshots).toBe(2);
  });

  it('keeps the index across a restart, and rebuilds a damaged one', async () => {
    await waitIndexed(2);
    await started.stop();
    await start();
    // before it said it listens, the daemon read a folder of the newest indexed snapshot
    const warmUp = daemon.stdout.find((line) => line.includes('warm-up in'));
    expect(JSON.parse(warmUp ?? '{}')).toMatchObject({
      http: 200,
      snapshot: snapshots[2].slice(0, 8),
      errors: [],
    });
    expect(daemon.stdout.indexOf(warmUp!)).toBeLessThan(
      daemon.stdout.findIndex((line) => line.includes('listening on http')),
    );
    expect(await states()).toEqual(['INDEXED', 'INDEXED']);
    const before = lsRuns();
    expect((await files(snapshots[2], join(source, 'docs'))).totalCount).toBe(3);
    expect(lsRuns()).toBe(before);

    await started.stop();
    const file = join(dir.path, 'state', 'snapshot-index.db');
    for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    writeFileSync(file, 'this is not a database '.repeat(500));
    await start();
    await waitIndexed(2);
    expect(daemon.stdout.join('\n')).toContain('snapshot index: the index file was damaged');
    expect(existsSync(`${file}.damaged`)).toBe(true);
    expect((await files(snapshots[2], join(source, 'docs'))).totalCount).toBe(3);
  });

  it('browses a snapshot made behind its back page by page from restic, then indexes it', async () => {
    await waitIndexed(2);
    // and no index job waiting or running: one queued before the snapshot below is made and
    // started after it would list the new snapshot and index it before the first page is
    // asked for (the first page answered INDEXED once in CI, under load)
    await waitForJobs(client, ['INDEX', 'INIT'], 1);
    const five = join(source, 'five');
    mkdirSync(join(five, 'sub'), { recursive: true });
    for (const name of ['e.txt', 'a.txt', 'Ä.txt', 'b.txt']) writeFileSync(join(five, name), name);
    writeFileSync(join(five, 'sub', 'deep.txt'), 'deep');
    resticDirect(repository, PASSWORD, ['backup', '--host', 'index-host', source]);
    const listed = JSON.parse(resticDirect(repository, PASSWORD, ['snapshots', '--json'])) as {
      id: string;
      time: string;
    }[];
    const made = listed.sort((a, b) => Date.parse(a.time) - Date.parse(b.time)).at(-1)!.id;
    expect(snapshots).not.toContain(made);
    const expected = lsOf(made)
      .filter((n) => parentOf(n.path) === five)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((n) => [n.name, n.type, n.type === 'file' ? n.size : 0, ms(n.mtime), unixMode(n.mode)]);
    expect(expected).toHaveLength(5);
    const folderRuns = () =>
      restic.calls().filter((line) => line.endsWith(` ls ${made} -- ${five}`));

    const page = async (after: string | null) =>
      (
        await client.data(
          `query($s: String!, $p: String, $after: String) { snapshot(repository: "local", snapshot: $s) {
             index { state }
             files(path: $p, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
               nodes { name type size mtime mode } } } }`,
          { s: made, p: five, after },
        )
      ).snapshot;
    const first = await page(null);
    // nothing told the daemon of this snapshot: the first page comes from restic, not the index
    expect(first.index.state).toBe('NOT_INDEXED');
    expect([first.files.totalCount, first.files.nodes.length]).toEqual([5, 2]);
    const answers = [...first.files.nodes];
    let info = first.files.pageInfo;
    while (info.hasNextPage) {
      const next = await page(info.endCursor);
      expect(next.files.totalCount).toBe(5);
      answers.push(...next.files.nodes);
      info = next.files.pageInfo;
    }
    expect(
      answers.map((n: any) => [n.name, n.type.toLowerCase(), n.size, ms(n.mtime), n.mode]),
    ).toEqual(expected);
    // one restic ls of the folder for all three pages (or the index, once it is ready)
    expect(folderRuns()).toHaveLength(1);

    // browsing it queued the index job: it becomes indexed on its own
    await waitIndexed(3);
    const { jobs } = await client.data(
      `{ jobs(first: 50, filter: { operations: [INDEX] }) { nodes { trigger state } } }`,
    );
    expect(jobs.nodes).toContainEqual({ trigger: 'API', state: 'SUCCEEDED' });
    const indexed = await files(made, five);
    expect(
      indexed.nodes.map((n: any) => [n.name, n.type.toLowerCase(), n.size, ms(n.mtime), n.mode]),
    ).toEqual(expected);
    expect(indexed.nodes.find((n: any) => n.name === 'sub')).toMatchObject({
      totalSize: 4,
      fileCount: 1,
    });
    expect(folderRuns()).toHaveLength(1);
  });
});
