import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseUrl, resolveTarget } from './connection';
import { contextsPath, readContexts, writeContexts } from './contexts';
import { CliError } from './exit-codes';

describe('where henctl talks', () => {
  let xdg: string;
  const saved = { ...process.env };
  beforeEach(() => {
    xdg = mkdtempSync(join(tmpdir(), 'henctl-spec-'));
    process.env.XDG_CONFIG_HOME = xdg;
    delete process.env.HEN_BACKUP_URL;
    delete process.env.HEN_BACKUP_TOKEN;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(xdg, { recursive: true, force: true });
  });

  it('adds /graphql to a bare address and refuses what is not http(s)', () => {
    expect(normaliseUrl('http://nas.lan:4000')).toBe('http://nas.lan:4000/graphql');
    expect(normaliseUrl('https://h/api/graphql')).toBe('https://h/api/graphql');
    expect(() => normaliseUrl('nas.lan:4000')).toThrow(CliError);
    expect(() => normaliseUrl('ftp://nas')).toThrow(/not an http/);
  });

  it('takes --url, then --context, then HEN_BACKUP_URL, then the current context', () => {
    writeContexts({
      current: 'laptop',
      contexts: {
        laptop: { url: 'http://127.0.0.1:4000/graphql', token: 'laptop-token' },
        nas: { url: 'http://nas.lan:4000/graphql', token: 'nas-token' },
      },
    });
    const env = { HEN_BACKUP_URL: 'http://env:4000', HEN_BACKUP_TOKEN: 'env-token' };
    expect(resolveTarget({ url: 'http://x:1' }, env)).toMatchObject({
      url: 'http://x:1/graphql',
      token: 'env-token',
    });
    expect(resolveTarget({ context: 'nas' }, env)).toMatchObject({
      name: 'nas',
      token: 'nas-token',
    });
    expect(resolveTarget({}, env)).toMatchObject({
      url: 'http://env:4000/graphql',
      token: 'env-token',
    });
    expect(resolveTarget({ token: 'given' }, {})).toMatchObject({ name: 'laptop', token: 'given' });
    expect(() => resolveTarget({ context: 'gone' }, {})).toThrow('no context named "gone"');
  });

  it('reads the contexts file it wrote, and names the problem in a malformed one', () => {
    expect(contextsPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/hen-backup/contexts.yaml');
    expect(contextsPath({ HOME: '/home/me' })).toBe('/home/me/.config/hen-backup/contexts.yaml');
    const path = join(xdg, 'c.yaml');
    writeContexts({ current: 'a', contexts: { a: { url: 'http://a/graphql' } } }, path);
    expect(readContexts(path)).toEqual({
      current: 'a',
      contexts: { a: { url: 'http://a/graphql' } },
    });
    writeContexts({ contexts: { a: { url: 'http://a' } }, current: 'b' }, path);
    expect(() => readContexts(path)).toThrow(
      `contexts file ${path}: current: no context named "b"`,
    );
  });
});
