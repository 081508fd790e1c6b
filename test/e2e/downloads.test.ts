import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { resticDirect } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { waitForEnd } from './support/wait';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'downloads-password-5521';
const TOKENS = {
  viewer: 'viewer-token-downloads-0123456789',
  operator: 'operator-token-downloads-0123456789',
};
/** Short, so that the expiry test waits little; every other link is used at once. */
const TTL_MS = 3_000;

/** Download links: made through GraphQL, fetched over plain HTTP without a bearer token. */
describe('downloads through the daemon', () => {
  const dir = tempDir('e2e-downloads');
  const data = join(dir.path, 'data');
  const repo = join(dir.path, 'repo');
  let started: StartedDaemon;
  let snapshotId: string;
  const issuedUrls: string[] = [];

  const graphql = (query: string, variables: Record<string, unknown>, token?: string) =>
    new GraphQLTestClient(started.port, token).request(query, variables);
  const CREATE = `mutation($r: String!, $s: String!, $p: String!, $f: DownloadFormat!) {
    createDownload(repository: $r, snapshot: $s, path: $p, format: $f) {
      url expiresAt format filename snapshotId path size
    }
  }`;
  const create = async (path: string, format: string, token = TOKENS.operator, id?: string) =>
    graphql(CREATE, { r: 'local', s: id ?? snapshotId, p: path, f: format }, token);
  const link = async (path: string, format: string) => {
    const result = await create(path, format);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    issuedUrls.push(result.data.createDownload.url);
    return result.data.createDownload;
  };
  const get = (url: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${started.port}${url}`, init);

  beforeAll(async () => {
    mkdirSync(join(data, 'sub', 'deep'), { recursive: true });
    mkdirSync(join(data, 'empty-folder'));
    writeFileSync(join(data, 'photo.bin'), randomBytes(300_000));
    writeFileSync(join(data, 'notes été "x".txt'), 'bonjour\n');
    writeFileSync(join(data, 'sub', 'b.bin'), randomBytes(70_000));
    writeFileSync(join(data, 'sub', 'deep', 'c.txt'), 'deep\n');
    writeFileSync(join(data, 'sub', 'empty.txt'), '');
    writeFileSync(join(data, 'big.bin'), randomBytes(48 * 1024 * 1024));
    started = await startDaemon(
      dir.path,
      {
        api: {
          tokens: Object.entries(TOKENS).map(([role, token]) => ({
            name: `${role}-client`,
            role,
            token,
          })),
        },
        repositories: { local: { location: repo, password: PASSWORD } },
        backups: { docs: { paths: [data], repositories: ['local'] } },
      },
      { env: { HEN_BACKUP_DOWNLOAD_TTL: `${TTL_MS}ms` } },
    );
    const run = await graphql('mutation { runBackup(name: "docs") { id } }', {}, TOKENS.operator);
    const viewer = new GraphQLTestClient(started.port, TOKENS.viewer);
    const job = await waitForEnd(viewer, run.data.runBackup.id, 60_000, 'snapshotIds');
    if (job.state !== 'SUCCEEDED') throw new Error(`backup ended ${JSON.stringify(job)}`);
    snapshotId = job.snapshotIds[0];
  }, 120_000);

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  it('serves a file once, byte for byte, without a bearer token', async () => {
    const file = join(data, 'photo.bin');
    const download = await link(file, 'FILE');
    expect(download).toMatchObject({
      format: 'FILE',
      filename: 'photo.bin',
      snapshotId,
      path: file,
      size: 300_000,
    });
    expect(download.url).toMatch(/^\/downloads\/[A-Za-z0-9_-]{43}$/);
    const expiresIn = Date.parse(download.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(TTL_MS);

    const response = await get(download.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="photo.bin"; filename*=UTF-8''photo.bin`,
    );
    expect(response.headers.get('content-length')).toBe('300000');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(readFileSync(file))).toBe(true);

    const again = await get(download.url);
    expect(again.status).toBe(410);
    expect(await again.text()).toMatch(/already used/);
  });

  it('names a file with quotes and accents safely, and serves an empty file', async () => {
    const odd = await link(join(data, 'notes été "x".txt'), 'FILE');
    const response = await get(odd.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="notes _t_ _x_.txt"; filename*=UTF-8''notes%20%C3%A9t%C3%A9%20%22x%22.txt`,
    );
    expect(await response.text()).toBe('bonjour\n');

    const empty = await link(join(data, 'sub', 'empty.txt'), 'FILE');
    const emptyResponse = await get(empty.url);
    expect(emptyResponse.status).toBe(200);
    expect((await emptyResponse.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves a folder as a tar whose entries match the source', async () => {
    const folder = join(data, 'sub');
    const download = await link(`${folder}/`, 'TAR');
    expect(download).toMatchObject({
      format: 'TAR',
      filename: 'sub.tar',
      path: folder,
      size: null,
    });
    const response = await get(download.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    const archive = join(dir.path, 'sub.tar');
    writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
    const out = join(dir.path, 'untarred');
    mkdirSync(out);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    // restic puts the snapshot's own paths in the archive
    expect(treeOf(join(out, folder))).toEqual(treeOf(folder));
  });

  it('serves a folder as a zip whose entries match the source', async () => {
    const folder = join(data, 'sub');
    const download = await link(folder, 'ZIP');
    expect(download.filename).toBe('sub.zip');
    const response = await get(download.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const entries = readZip(Buffer.from(await response.arrayBuffer()));
    const files = Object.fromEntries(
      [...entries]
        .filter(([name]) => !name.endsWith('/'))
        .map(([name, bytes]) => [`/${name}`, bytes]),
    );
    const expected = treeOf(folder);
    expect(Object.keys(files).sort()).toEqual(
      Object.keys(expected)
        .filter((k) => expected[k] !== 'dir')
        .map((k) => join(folder, k))
        .sort(),
    );
    for (const [name, bytes] of Object.entries(files)) {
      expect(bytes.equals(readFileSync(name))).toBe(true);
    }
  });

  it('gives a link back when restic fails before sending a byte, so that a retry works', async () => {
    const file = join(data, 'notes été "x".txt');
    const download = await link(file, 'FILE');
    renameSync(repo, `${repo}-away`);
    let failed: Response;
    try {
      failed = await get(download.url);
    } finally {
      renameSync(`${repo}-away`, repo);
    }
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(await failed.text()).toMatch(/the link can be used again until it expires$/m);
    const retried = await get(download.url);
    expect(retried.status).toBe(200);
    expect(await retried.text()).toBe('bonjour\n');
    expect((await get(download.url)).status).toBe(410);
  });

  it('refuses an expired link', async () => {
    const download = await link(join(data, 'sub', 'deep', 'c.txt'), 'FILE');
    await new Promise((r) => setTimeout(r, TTL_MS + 200));
    const response = await get(download.url);
    expect(response.status).toBe(410);
    expect(await response.text()).toMatch(/expired/);
  });

  it('does not know made-up links, and a HEAD does not spend one', async () => {
    expect((await get(`/downloads/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await get('/downloads/not-a-token')).status).toBe(404);
    const download = await link(join(data, 'sub', 'deep', 'c.txt'), 'FILE');
    expect((await get(download.url, { method: 'HEAD' })).status).toBe(405);
    const response = await get(download.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('deep\n');
  });

  it('checks the request before making a link', async () => {
    const code = async (path: string, format: string, id?: string, repository = 'local') => {
      const result = await graphql(
        CREATE,
        { r: repository, s: id ?? snapshotId, p: path, f: format },
        TOKENS.operator,
      );
      return result.errors?.[0]?.extensions?.code ?? 'OK';
    };
    expect(await code(data, 'FILE')).toBe('BAD_USER_INPUT');
    expect(await code(join(data, 'photo.bin'), 'TAR')).toBe('BAD_USER_INPUT');
    expect(await code(`${data}/../data/photo.bin`, 'FILE')).toBe('BAD_USER_INPUT');
    expect(await code('data/photo.bin', 'FILE')).toBe('BAD_USER_INPUT');
    expect(await code(join(data, 'photo.bin'), 'FILE', 'newest')).toBe('BAD_USER_INPUT');
    expect(await code(join(data, 'photo.bin'), 'FILE', 'latest')).toBe('OK');
    expect(await code(join(data, 'photo.bin'), 'FILE', '--no-lock')).toBe('BAD_USER_INPUT');
    expect(await code(join(data, 'missing.bin'), 'FILE')).toBe('NOT_FOUND');
    expect(await code(join(data, 'photo.bin'), 'FILE', 'deadbeefdeadbeef')).toBe('NOT_FOUND');
    expect(await code(join(data, 'photo.bin'), 'FILE', undefined, 'nowhere')).toBe('NOT_FOUND');
    expect(await code(join(data, 'photo.bin'), 'FILE', snapshotId.slice(0, 8))).toBe('OK');
    expect(await code(join(data, 'empty-folder'), 'ZIP')).toBe('OK');
  });

  it('needs the operator role to make a link', async () => {
    const viewer = await create(join(data, 'photo.bin'), 'FILE', TOKENS.viewer);
    expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await graphql(CREATE, {
      r: 'local',
      s: snapshotId,
      p: join(data, 'photo.bin'),
      f: 'FILE',
    });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('stops restic when the client goes away, leaving no lock', async () => {
    const download = await link(join(data, 'big.bin'), 'FILE');
    const controller = new AbortController();
    const response = await get(download.url, { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await started.daemon.waitForLog(/download abandoned by the client/, 30_000);
    await waitFor(
      () => resticDirect(repo, PASSWORD, ['list', 'locks', '--no-lock']).trim() === '',
      'no lock left by restic',
      15_000,
    );
  });

  it('never logs a link token', () => {
    const output = [...started.daemon.stdout, ...started.daemon.stderr].join('\n');
    expect(output).toContain('download link created');
    expect(output).toContain('download finished');
    expect(issuedUrls.length).toBeGreaterThan(5);
    for (const url of issuedUrls) expect(output).not.toContain(url.split('/').pop());
  });
});

/** Relative path → 'dir' or the file's content, for a whole folder. */
function treeOf(root: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const key = relative(root, path);
      if (statSync(path).isDirectory()) {
        tree[key] = 'dir';
        walk(path);
      } else {
        tree[key] = readFileSync(path).toString('base64');
      }
    }
  };
  walk(root);
  return tree;
}

/** A tiny zip reader: the central directory, then each entry's stored or deflated bytes. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
