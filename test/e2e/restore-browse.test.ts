import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { countingRestic } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import type { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd, waitForJobs } from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'restore-browse-password-5521';

/** sha256 of every file (and the target of every link) below root, by relative path. */
function hashTree(root: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const key = relative(root, path);
      if (entry.isDirectory()) {
        hashes[`${key}/`] = 'dir';
        walk(path);
      } else if (entry.isSymbolicLink()) hashes[key] = `-> ${readlinkSync(path)}`;
      else hashes[key] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(root);
  return hashes;
}

/** Restores, browsing, diffs and statistics through GraphQL only, against restic as configured. */
describe('restore and snapshot browsing through the daemon', () => {
  const dir = tempDir('e2e-restore');
  const source = join(dir.path, 'source');
  const big = join(dir.path, 'big');
  const restores = join(dir.path, 'restores');
  // every restic run the daemon starts leaves one line
  const restic = countingRestic(dir.path);
  let started: StartedDaemon;
  let client: GraphQLTestClient;
  let snapshotId: string;
  /** Waits until the job has ended; with its snapshots, progress and steps' summaries. */
  const ended = (id: string, timeoutMs = 40_000) =>
    waitForEnd(client, id, timeoutMs, 'snapshotIds progress { percent } steps { summary }');

  /** Waits until the snapshot is in the snapshot index (an on-idle job after each backup). */
  const indexed = (id: string) =>
    waitFor(
      async () =>
        (
          await client.data(
            `query($id: String!) { snapshot(repository: "local", snapshot: $id) { index { state } } }`,
            { id },
          )
        ).snapshot.index.state === 'INDEXED',
      `snapshot ${id} indexed`,
      240_000,
    );

  /** restic invocations so far whose arguments match */
  const resticRuns = (pattern: RegExp): number =>
    restic.calls().filter((line) => pattern.test(line)).length;
  // A folder of a snapshot not indexed yet is answered by one `restic ls <id> -- <folder>`; the
  // whole snapshot is listed only by its index job.
  const WHOLE_LS = /\bls\b(?!.* -- )/;
  const FOLDER_LS = /\bls\b.* -- /;

  beforeAll(async () => {
    mkdirSync(join(source, 'photos', '2024'), { recursive: true });
    mkdirSync(join(source, 'notes'), { recursive: true });
    mkdirSync(join(source, 'empty'), { recursive: true });
    for (let i = 0; i < 12; i++) {
      writeFileSync(join(source, 'photos', '2024', `img-${i}.jpg`), Buffer.alloc(1000 + i * 37, i));
    }
    writeFileSync(join(source, 'notes', 'todo.txt'), 'restore me\n');
    writeFileSync(join(source, 'notes', 'debug.log'), 'noise\n');
    writeFileSync(join(source, 'notes', 'old.txt'), 'to be removed\n');
    symlinkSync('notes/todo.txt', join(source, 'todo-link'));

    started = await startDaemon(
      dir.path,
      {
        hostname: 'restore-host',
        restore: { allowedTargets: [restores] },
        repositories: { local: { location: join(dir.path, 'repo'), password: PASSWORD } },
        backups: {
          files: { paths: [source], repositories: ['local'] },
          big: { paths: [big], repositories: ['local'] },
        },
      },
      { env: { RESTIC_BIN: restic.bin } },
    );
    client = started.client;
    await waitForJobs(client, 'INIT', 1);
    const { runBackup } = await client.data(`mutation { runBackup(name: "files") { id } }`);
    const job = await ended(runBackup.id);
    expect(job.state).toBe('SUCCEEDED');
    snapshotId = job.snapshotIds[0];
  });

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('restores a snapshot into a folder, equal to the source file by file', async () => {
    const target = join(restores, 'full');
    const { restoreSnapshot } = await client.data(
      `mutation($input: RestoreSnapshotInput!) { restoreSnapshot(input: $input) { id operation trigger state } }`,
      { input: { repository: 'local', snapshot: snapshotId, target } },
    );
    expect(restoreSnapshot).toMatchObject({ operation: 'RESTORE', trigger: 'API' });
    const job = await ended(restoreSnapshot.id);
    expect(job.state).toBe('SUCCEEDED');
    expect(hashTree(join(target, source))).toEqual(hashTree(source));
    const fileCount = Object.keys(hashTree(source)).filter(
      (k) => !k.endsWith('/') && !k.includes('link'),
    ).length;
    expect(job.steps[0].summary).toEqual({
      filesRestored: fileCount,
      bytesRestored: expect.any(Number),
    });
    expect(job.progress.percent).toBe(100);
    const messages = await jobMessages(client, restoreSnapshot.id);
    expect(messages).toContain(`restored ${fileCount} files`);
    expect(messages).toContain(target);
  });

  it('honours include and exclude patterns', async () => {
    const included = join(restores, 'included');
    const first = await client.data(
      `mutation($input: RestoreSnapshotInput!) { restoreSnapshot(input: $input) { id } }`,
      {
        input: {
          repository: 'local',
          snapshot: snapshotId.slice(0, 8),
          target: included,
          include: [join(source, 'notes')],
          priority: 'next',
        },
      },
    );
    expect((await ended(first.restoreSnapshot.id)).state).toBe('SUCCEEDED');
    expect(readdirSync(join(included, source))).toEqual(['notes']);
    expect(readdirSync(join(included, source, 'notes')).sort()).toEqual([
      'debug.log',
      'old.txt',
      'todo.txt',
    ]);

    const excluded = join(restores, 'excluded');
    const second = await client.data(
      `mutation($input: RestoreSnapshotInput!) { restoreSnapshot(input: $input) { id } }`,
      {
        input: {
          repository: 'local',
          snapshot: 'latest:files',
          target: excluded,
          exclude: ['*.log', join(source, 'photos')],
        },
      },
    );
    expect((await ended(second.restoreSnapshot.id)).state).toBe('SUCCEEDED');
    expect(readdirSync(join(excluded, source)).sort()).toEqual(['empty', 'notes', 'todo-link']);
    expect(readdirSync(join(excluded, source, 'notes')).sort()).toEqual(['old.txt', 'todo.txt']);
  });

  it('refuses targets outside restore.allowedTargets and malformed requests', async () => {
    const codeOf = async (input: Record<string, unknown>) => {
      const result = await client.request(
        `mutation($input: RestoreSnapshotInput!) { restoreSnapshot(input: $input) { id } }`,
        {
          input: {
            repository: 'local',
            snapshot: snapshotId,
            target: join(restores, 'x'),
            ...input,
          },
        },
      );
      return [result.errors?.[0]?.extensions?.code ?? 'OK', result.errors?.[0]?.message];
    };
    expect(await codeOf({ target: join(dir.path, 'elsewhere') })).toEqual([
      'BAD_USER_INPUT',
      expect.stringMatching(/allowedTargets/),
    ]);
    expect((await codeOf({ target: `${restores}-sibling` }))[0]).toBe('BAD_USER_INPUT');
    expect((await codeOf({ target: `${restores}/../escape` }))[0]).toBe('BAD_USER_INPUT');
    expect((await codeOf({ target: 'relative/target' }))[0]).toBe('BAD_USER_INPUT');
    expect((await codeOf({ snapshot: 'newest' }))[0]).toBe('BAD_USER_INPUT');
    expect((await codeOf({ snapshot: 'abc' }))[0]).toBe('BAD_USER_INPUT');
    expect((await codeOf({ snapshot: 'Job:1' }))[0]).toBe('BAD_USER_INPUT');
    // an unknown snapshot is refused at once: nothing queued, the target never made
    const jobsBefore = (await client.data('{ jobs { totalCount } }')).jobs.totalCount;
    expect(await codeOf({ snapshot: 'deadbeef', target: join(restores, 'never') })).toEqual([
      'NOT_FOUND',
      expect.stringMatching(/no snapshot "deadbeef"/),
    ]);
    expect((await codeOf({ snapshot: 'latest:nothing' }))[0]).toBe('NOT_FOUND');
    expect(existsSync(join(restores, 'never'))).toBe(false);
    expect((await client.data('{ jobs { totalCount } }')).jobs.totalCount).toBe(jobsBefore);
    expect((await codeOf({ include: ['a'], exclude: ['b'] }))[0]).toBe('BAD_USER_INPUT');
    expect((await codeOf({ include: ['x'.repeat(5000)] }))[0]).toBe('BAD_USER_INPUT');
    expect((await codeOf({ repository: 'nowhere' }))[0]).toBe('NOT_FOUND');
    // a link inside the allowed folder that leads out of it
    mkdirSync(restores, { recursive: true });
    symlinkSync(dir.path, join(restores, 'way-out'));
    expect(await codeOf({ target: join(restores, 'way-out', 'escaped') })).toEqual([
      'BAD_USER_INPUT',
      expect.stringMatching(/link/),
    ]);
    expect(existsSync(join(dir.path, 'escaped'))).toBe(false);
  });

  it('shows one snapshot with its statistics, and filters the snapshot list', async () => {
    const { snapshot } = await client.data(
      `query($id: String!) { snapshot(repository: "local", snapshot: $id) {
         id snapshotId repositoryName hostname paths tags backupName backup { name configured }
         repository { name } time statistics { size fileCount } } }`,
      { id: snapshotId.slice(0, 10) },
    );
    const sourceBytes = 12 * 1000 + 37 * 66 + 'restore me\n'.length + 'noise\n'.length + 14;
    expect(snapshot).toMatchObject({
      id: `Snapshot:local:${snapshotId}`,
      snapshotId,
      repositoryName: 'local',
      repository: { name: 'local' },
      hostname: 'restore-host',
      paths: [source],
      backupName: 'files',
      backup: { name: 'files', configured: true },
      statistics: { size: sourceBytes },
    });
    const missing = await client.request(
      `{ snapshot(repository: "local", snapshot: "deadbeef") { id } }`,
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const list = async (args: string) =>
      (
        await client.data(
          `{ snapshots(repository: "local", ${args}) { edges { node { snapshotId } } } }`,
        )
      ).snapshots.edges.map((e: any) => e.node.snapshotId);
    expect(await list('host: "restore-host", tag: "backup=files"')).toContain(snapshotId);
    expect(await list('host: "another-host"')).toEqual([]);
    expect(await list('tag: "nope"')).toEqual([]);
    expect(await list(`takenAfter: "${snapshot.time}"`)).toContain(snapshotId);
    expect(await list(`takenBefore: "${snapshot.time}"`)).not.toContain(snapshotId);
    // a time that is not a DateTime: a literal fails validation, a variable is bad input
    const literal = await client.request(
      `{ snapshots(repository: "local", takenAfter: "soon") { edges { cursor } } }`,
    );
    expect(literal.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variable = await client.request(
      `query($t: DateTime) { snapshots(repository: "local", takenAfter: $t) { edges { cursor } } }`,
      { t: 'soon' },
    );
    expect(variable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('browses three folders of an indexed snapshot from the index, page by page', async () => {
    const browse = `query($id: String!, $path: String, $first: Int, $after: String) {
      snapshot(repository: "local", snapshot: $id) { files(path: $path, first: $first, after: $after) {
        totalCount path edges { cursor node { name path type size mtime mode } } pageInfo { hasNextPage endCursor } } } }`;
    await indexed(snapshotId);
    const before = { whole: resticRuns(WHOLE_LS), folder: resticRuns(FOLDER_LS) };
    const top = (await client.data(browse, { id: snapshotId, path: `${source}/` })).snapshot.files;
    expect(top.path).toBe(source);
    expect(top.edges.map((e: any) => [e.node.name, e.node.type])).toEqual([
      ['empty', 'DIR'],
      ['notes', 'DIR'],
      ['photos', 'DIR'],
      ['todo-link', 'SYMLINK'],
    ]);
    const notes = (await client.data(browse, { id: snapshotId, path: join(source, 'notes') }))
      .snapshot.files;
    expect(notes.edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({ name: 'debug.log', type: 'FILE', size: 6, mode: 0o644 }),
      expect.objectContaining({ name: 'old.txt', type: 'FILE', size: 14 }),
      expect.objectContaining({
        name: 'todo.txt',
        path: join(source, 'notes', 'todo.txt'),
        size: 11,
      }),
    ]);
    // pages of a third folder, still from the index
    const page1 = (
      await client.data(browse, { id: snapshotId, path: join(source, 'photos', '2024'), first: 5 })
    ).snapshot.files;
    expect(page1.totalCount).toBe(12);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const names: string[] = page1.edges.map((e: any) => e.node.name);
    let after = page1.pageInfo.endCursor;
    for (;;) {
      const page = (
        await client.data(browse, {
          id: snapshotId,
          path: join(source, 'photos', '2024'),
          first: 5,
          after,
        })
      ).snapshot.files;
      names.push(...page.edges.map((e: any) => e.node.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `img-${i}.jpg`).sort());
    // the index answered everything: restic did not run
    expect(resticRuns(WHOLE_LS) - before.whole).toBe(0);
    expect(resticRuns(FOLDER_LS) - before.folder).toBe(0);

    const codeOf = async (variables: Record<string, unknown>) =>
      (await client.request(browse, { id: snapshotId, ...variables })).errors?.[0]?.extensions
        ?.code;
    expect(await codeOf({ path: `${source}/../..` })).toBe('BAD_USER_INPUT');
    expect(await codeOf({ path: 'relative' })).toBe('BAD_USER_INPUT');
    expect(await codeOf({ path: join(source, 'notes', 'todo.txt') })).toBe('BAD_USER_INPUT');
    expect(await codeOf({ path: join(source, 'nowhere') })).toBe('NOT_FOUND');
    expect(await codeOf({ after: 'bm90LWEtY3Vyc29y' })).toBe('BAD_USER_INPUT');
    expect(await codeOf({ id: 'newest' })).toBe('BAD_USER_INPUT');
    expect(await codeOf({ id: 'deadbeef' })).toBe('NOT_FOUND');
  });

  it('diffs two snapshots: added, removed and changed paths with totals', async () => {
    rmSync(join(source, 'notes', 'old.txt'));
    writeFileSync(join(source, 'notes', 'todo.txt'), 'restore me, changed\n');
    writeFileSync(join(source, 'notes', 'new.txt'), 'fresh\n');
    const { runBackup } = await client.data(`mutation { runBackup(name: "files") { id } }`);
    const job = await ended(runBackup.id);
    const { diffSnapshots } = await client.data(
      `query($from: String!, $to: String!) { diffSnapshots(repository: "local", from: $from, to: $to) {
        added removed changed truncated totals { added removed changed addedBytes removedBytes } } }`,
      { from: snapshotId, to: 'latest:files' },
    );
    expect(diffSnapshots).toMatchObject({
      added: [join(source, 'notes', 'new.txt')],
      removed: [join(source, 'notes', 'old.txt')],
      changed: [join(source, 'notes', 'todo.txt')],
      truncated: false,
      totals: { added: 1, removed: 1, changed: 1 },
    });
    expect(diffSnapshots.totals.addedBytes).toBeGreaterThan(0);
    const capped = await client.data(
      `query($from: String!, $to: String!) { diffSnapshots(repository: "local", from: $from, to: $to, limit: 0) {
        added truncated totals { added } } }`,
      { from: snapshotId, to: job.snapshotIds[0] },
    );
    expect(capped.diffSnapshots).toEqual({ added: [], truncated: true, totals: { added: 1 } });

    const { repositoryStats } = await client.data(
      `{ repositoryStats(name: "local") { totalSize totalFileCount snapshotsCount mode }
         raw: repositoryStats(name: "local", mode: RAW_DATA) { totalSize snapshotsCount mode } }`,
    );
    expect(repositoryStats).toMatchObject({ snapshotsCount: 2, mode: 'RESTORE_SIZE' });
    expect(repositoryStats.totalFileCount).toBeGreaterThan(20);
  });

  it('browses two folders of a 100 000-file snapshot, then from the index', async () => {
    const content = Buffer.from('x');
    for (let d = 0; d < 400; d++) {
      const folder = join(big, `d${String(d).padStart(3, '0')}`);
      mkdirSync(folder, { recursive: true });
      for (let f = 0; f < 250; f++) writeFileSync(join(folder, `f${f}`), content);
      // let the event loop run between folders: blocked for seconds, it would miss the server
      // closing an idle keep-alive socket, and the next request would fail on it
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { runBackup } = await client.data(`mutation { runBackup(name: "big") { id } }`);
    const job = await ended(runBackup.id, 240_000);
    expect(job.state).toBe('SUCCEEDED');

    const before = { whole: resticRuns(WHOLE_LS), folder: resticRuns(FOLDER_LS) };
    const browse = `query($id: String!, $path: String) {
      snapshot(repository: "local", snapshot: $id) { files(path: $path, first: 500) {
        totalCount edges { node { name type } } } } }`;
    const id = job.snapshotIds[0];
    const top = (await client.data(browse, { id, path: big })).snapshot.files;
    expect(top.totalCount).toBe(400);
    const inner = (await client.data(browse, { id, path: join(big, 'd123') })).snapshot.files;
    expect(inner.totalCount).toBe(250);
    expect(inner.edges[0].node).toEqual({ name: 'f0', type: 'FILE' });
    // at most the index job's listing: browsing never lists the whole snapshot itself
    expect(resticRuns(WHOLE_LS) - before.whole).toBeLessThanOrEqual(1);
    expect(resticRuns(FOLDER_LS) - before.folder).toBeLessThanOrEqual(2);
    await indexed(id);
    const indexedRuns = resticRuns(/\bls\b/);
    const again = (await client.data(browse, { id, path: join(big, 'd399') })).snapshot.files;
    expect(again.totalCount).toBe(250);
    expect(resticRuns(/\bls\b/)).toBe(indexedRuns);
  }, 300_000);
});

async function jobMessages(client: GraphQLTestClient, id: string): Promise<string> {
  const { job } = await client.data(
    `query($id: ID!) { job(id: $id) { logs(first: 200) { edges { node { message } } } } }`,
    { id },
  );
  return job.logs.edges.map((e: any) => e.node.message).join('\n');
}
