import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { freePort } from '../support/servers/server-process';
import { tempDir } from '../support/temp-dir';
import {
  assertBuilt,
  ESCAPE,
  HENCTL,
  henctl,
  henctlInTerminal,
  type CliResult,
} from './support/henctl';
import { openToAll, runningAsRoot, writeUnprivilegedRestic } from '../support/restic';

const TOKEN = 'henctl-admin-token-7c1e9a4d2b';
const SNAPSHOT_LINE = /job \S+ \(backup\) succeeded.* in \d+s: snapshot [0-9a-f]{8}$/m;

/** The error went out as one line, without a stack. */
function oneLine(result: CliResult): string {
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^henctl: /);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

/**
 * henctl, the command-line client, run from dist as a user runs it, against real daemons that
 * run the real restic: one with a token and three backups (fine, unreadable file, missing path),
 * a second one for the many-hosts view.
 */
describe('henctl', () => {
  const dir = tempDir('e2e-henctl');
  const config = join(dir.path, 'xdg');
  const source = join(dir.path, 'source');
  const partial = join(dir.path, 'partial');
  const restores = join(dir.path, 'restores');
  let main: StartedDaemon;
  let other: StartedDaemon;
  let url: string;
  /** henctl against the main daemon, with its token */
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    henctl(['--url', url, '--token', TOKEN, ...args], { XDG_CONFIG_HOME: config, ...env });
  const json = async (args: string[]): Promise<any> => {
    const result = await cli([...args, '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  };
  let docsSnapshot: string;

  beforeAll(async () => {
    assertBuilt();
    mkdirSync(join(source, 'notes'), { recursive: true });
    writeFileSync(join(source, 'notes', 'todo.txt'), 'water the hens\n');
    writeFileSync(join(source, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 7));
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, 'readable.txt'), 'fine\n');
    writeFileSync(join(partial, 'secret.txt'), 'hidden\n');
    mkdirSync(restores, { recursive: true });
    mkdirSync(join(dir.path, 'other-daemon'), { recursive: true });
    const env: NodeJS.ProcessEnv = {};
    if (runningAsRoot()) {
      // root reads anything: restic runs as nobody, who may read and write all but the secret
      for (const sub of ['cache', 'tmp'])
        mkdirSync(join(dir.path, 'state', sub), { recursive: true });
      await openToAll(dir.path);
      env.RESTIC_BIN = await writeUnprivilegedRestic(dir.path);
    }
    chmodSync(join(partial, 'secret.txt'), 0o000);
    const repository = { location: join(dir.path, 'repo'), password: 'henctl-repo-password-31' };
    [main, other] = await Promise.all([
      startDaemon(
        dir.path,
        {
          hostname: 'main-host',
          api: { tokens: [{ name: 'cli', token: TOKEN, role: 'admin' }] },
          repositories: { local: repository },
          backups: {
            docs: { paths: [source], repositories: ['local'], retention: { keepLast: 5 } },
            partial: { paths: [partial], repositories: ['local'] },
            broken: { paths: [join(dir.path, 'missing')], repositories: ['local'] },
            slow: {
              paths: [source],
              repositories: ['local'],
              hooks: { before: [{ type: 'command', command: ['sleep', '60'] }] },
            },
          },
        },
        { env },
      ),
      startDaemon(join(dir.path, 'other-daemon'), {
        hostname: 'other-host',
        repositories: {
          far: { location: join(dir.path, 'other-repo'), password: 'henctl-other-password-8' },
        },
        backups: { elsewhere: { paths: [source], repositories: ['far'] } },
      }),
    ]);
    url = `http://127.0.0.1:${main.port}`;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([main?.stop(), other?.stop()]);
    dir.cleanup();
  });

  it('shows the daemon and its backups, as tables and as JSON', async () => {
    const status = await json(['status']);
    expect(status.status.hostname).toBe('main-host');
    expect(status.status.backups.map((b: any) => b.name).sort()).toEqual([
      'broken',
      'docs',
      'partial',
      'slow',
    ]);
    const plain = await cli(['status']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^main-host: hen-backup \d+\.\d+\.\d+, restic \d/m);
    expect(plain.stdout).toMatch(/^BACKUP\s+LAST JOB\s+LAST SUCCESS/m);
    expect(plain.stdout).not.toMatch(ESCAPE);

    const backups = await json(['backups']);
    const docs = backups.backups.find((b: any) => b.name === 'docs');
    expect(docs).toMatchObject({ paths: [source], repositoryNames: ['local'] });
    const table = await cli(['backups']);
    expect(table.stdout).toMatch(new RegExp(`^docs\\s+${source}\\s+local\\b`, 'm'));
  });

  it('runs a backup and follows it without a terminal: plain lines, exit 0, the snapshot', async () => {
    const result = await cli(['run', 'docs', '--follow']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(SNAPSHOT_LINE);
    expect(result.stdout).not.toMatch(ESCAPE);
    docsSnapshot = /snapshot ([0-9a-f]{8})$/m.exec(result.stdout)![1];
  });

  it('follows a backup on a terminal with a live progress bar that ends in the outcome', async () => {
    const { code, output } = await henctlInTerminal(
      ['--url', url, '--token', TOKEN, 'run', 'docs', '--follow'],
      { XDG_CONFIG_HOME: config },
    );
    expect(code).toBe(0);
    // cli-progress redraws its line: back to column 1, the bar, the percentage, clear to the end
    const frames = output.split('\u001b[1G').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.every((frame) => /[\u2588\u2591]{24} \d{1,3}% /.test(frame))).toBe(true);
    expect(frames.at(-1)).toMatch(/ 100% \d/);
    // the outcome is coloured on a colour terminal
    const green = (text: string) => `\u001b[32m${text}\u001b[39m`;
    expect(output).toContain(` (backup) ${green('succeeded')} in `);
    expect(output).toMatch(/ in \d+s: snapshot [0-9a-f]{8}\r?\n/);
  });

  it('on a terminal: relative times, and colour unless NO_COLOR is set', async () => {
    const args = ['--url', url, '--token', TOKEN, 'jobs', '--limit', '3'];
    const coloured = await henctlInTerminal(args, { XDG_CONFIG_HOME: config });
    expect(coloured.code).toBe(0);
    expect(coloured.output).toContain('\u001b[1mID\u001b[22m');
    expect(coloured.output).toMatch(/(just now|\d+ seconds? ago)/);
    const plain = await henctlInTerminal(args, { XDG_CONFIG_HOME: config, NO_COLOR: '1' });
    expect(plain.output).toMatch(/^ID\s+OPERATION/);
    expect(plain.output).toMatch(/(just now|\d+ seconds? ago)/);
    expect(plain.output).not.toMatch(ESCAPE);
  });

  it('exits 3 when the backup succeeded with warnings (an unreadable file)', async () => {
    const result = await cli(['run', 'partial', '--follow']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^warning: .*secret\.txt/m);
    expect(result.stdout).toMatch(/succeeded with \d+ warnings? in \d+s: snapshot [0-9a-f]{8}$/m);
  });

  it('exits 1 when the job fails, with the error and its code', async () => {
    const result = await cli(['run', 'broken', '--follow']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/job \S+ \(backup\) failed in \d+s: .*\(PATH_NOT_FOUND\)$/m);
  });

  it('lists jobs, shows one, and prints its log', async () => {
    const { jobs } = await json(['jobs', '--backup', 'broken']);
    expect(jobs.edges).toHaveLength(1);
    const failed = jobs.edges[0].node;
    expect(failed).toMatchObject({ backupName: 'broken', state: 'FAILED', operation: 'BACKUP' });
    expect(failed.id).toBe(`Job:${failed.number}`);

    const table = await cli(['jobs', '--state', 'failed,succeeded', '--limit', '10']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+OPERATION\s+TARGET\s+STATE/);
    expect(table.stdout).toMatch(/\bbackup\s+broken\s+failed\b/);
    expect(table.stdout).toMatch(/\bbackup\s+partial\s+succeeded \(warnings\)/);

    // a job is named by its number, or by its global id
    const { job } = await json(['job', String(failed.number)]);
    expect(job).toMatchObject({
      id: failed.id,
      state: 'FAILED',
      error: { code: 'PATH_NOT_FOUND' },
    });
    const shown = await cli(['job', failed.id]);
    expect(shown.stdout).toMatch(/^error: +PATH_NOT_FOUND: /m);

    const lines = await json(['logs', failed.id]);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1).message).toMatch(/ended failed/);
    const tail = await cli(['logs', failed.id, '--tail', '1']);
    expect(tail.stdout.trim().split('\n')).toEqual([expect.stringMatching(/ended failed/)]);
    // following an ended job prints its log and exits as the job ended
    const followed = await cli(['logs', failed.id, '--follow']);
    expect(followed.code).toBe(1);
    expect(followed.stdout.trim().split('\n')).toHaveLength(lines.length);
  });

  it('cancels a running job; following it exits 1', async () => {
    const follower = cli(['run', 'slow', '--follow']);
    let id: number | undefined;
    for (let i = 0; i < 200 && !id; i++) {
      const { jobs } = await json(['jobs', '--backup', 'slow', '--state', 'running']);
      id = jobs.edges[0]?.node.number;
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    expect(id).toBeDefined();
    // a second follower tails the running job's log until it ends
    const tail = cli(['logs', String(id), '--follow']);
    await new Promise((r) => setTimeout(r, 500));
    const canceled = await cli(['cancel', String(id)]);
    expect(canceled.code).toBe(0);
    expect(canceled.stdout).toMatch(new RegExp(`^job ${id}: (canceled|stopping)`));
    const result = await follower;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`job ${id} \\(backup\\) canceled`));
    const logs = await tail;
    expect(logs.code).toBe(1);
    expect(logs.stdout).toMatch(/ info {2}\S.* started backup slow/);
    expect(logs.stdout.trim().split('\n').at(-1)).toMatch(/ended canceled/);
  });

  it('lists, browses and compares snapshots', async () => {
    const { snapshots } = await json(['snapshots', 'local', '--backup', 'docs']);
    expect(snapshots.edges.length).toBe(2);
    const [newest, oldest] = snapshots.edges.map((e: any) => e.node.snapshotId);
    expect(newest).toMatch(/^[0-9a-f]{64}$/);
    const table = await cli(['snapshots', 'local', '--since', '1h']);
    expect(table.stdout).toMatch(
      new RegExp(`^${docsSnapshot}\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+\\S+\\s+docs\\s+${source}`, 'm'),
    );

    const listing = await json(['ls', 'local', docsSnapshot, source]);
    expect(listing.snapshotId).toBe(oldest);
    expect(listing.entries.map((e: any) => e.name)).toEqual(['big.bin', 'notes']);
    expect((await json(['ls', 'local', 'latest:docs', source])).snapshotId).toBe(newest);
    const ls = await cli(['ls', 'local', docsSnapshot, source]);
    expect(ls.stdout).toMatch(/^-rw\S+\s+8\.00 MiB\s+\S+\s+big\.bin$/m);
    expect(ls.stdout).toMatch(/^drwx\S+\s+-\s+\S+\s+notes\/$/m);

    // `latest:docs` names the newest snapshot of that backup
    const diff = await cli(['diff', 'local', oldest.slice(0, 8), 'latest:docs']);
    expect(diff.code).toBe(0);
    // no file differs; the byte counts are restic's blobs that differ, which include the trees:
    // a folder's access time, changed by the first backup reading it, can make them differ
    expect(diff.stdout).toMatch(/^0 added \(\d+ B\), 0 removed \(\d+ B\), 0 changed$/m);
  });

  it('restores a snapshot and downloads a file from one', async () => {
    const target = join(restores, 'one');
    // the daemon makes the target folder; restic, as nobody when the tests run as root, fills it
    mkdirSync(target, { mode: 0o777 });
    chmodSync(target, 0o777);
    const result = await cli(['restore', 'local', docsSnapshot, '--target', target, '--follow']);
    expect(result.stdout).toMatch(/\(restore\) succeeded/);
    expect(result.code).toBe(0);
    expect(readFileSync(join(target, source, 'notes', 'todo.txt'), 'utf8')).toBe(
      'water the hens\n',
    );

    const file = join(dir.path, 'todo-copy.txt');
    const download = await cli([
      'download',
      'local',
      docsSnapshot,
      join(source, 'notes', 'todo.txt'),
      '-o',
      file,
    ]);
    expect(download.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('water the hens\n');
    const again = await cli([
      'download',
      'local',
      docsSnapshot,
      join(source, 'notes', 'todo.txt'),
      '-o',
      file,
    ]);
    expect(again.code).toBe(2);
    expect(oneLine(again)).toContain('exists');
  });

  it('checks, unlocks and prunes, and reloads the configuration', async () => {
    for (const args of [
      ['check', 'local'],
      ['unlock', 'local'],
      ['prune', 'docs'],
    ]) {
      const result = await cli([...args, '--follow']);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 0,
        stderr: '',
      });
    }
    const reload = await cli(['reload']);
    expect(reload).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^reloaded .*: nothing changed$/m),
    });
  });

  it('prints shell completion scripts and completes from the command definitions', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const script = await henctl(['completion', shell]);
      expect(script.code).toBe(0);
      expect(script.stdout).toContain('henctl completion-server');
    }
    const complete = (line: string, shell = 'bash') =>
      henctl(['completion-server', '--', ...line.split(' ')], {
        COMP_LINE: line,
        COMP_POINT: String(line.length),
        COMP_CWORD: String(line.split(' ').length - 1),
        SHELL: shell,
      });
    expect((await complete('henctl sn')).stdout).toBe('snapshots\n');
    expect((await complete('henctl run --f')).stdout).toBe('--follow\n');
    expect((await complete('henctl jobs --st', 'fish')).stdout).toMatch(
      /^--state\tonly these states/,
    );
  });

  it('stops quietly with exit 0 when its reader closes the pipe early (henctl ... | head)', async () => {
    // head exits after one line; henctl's further writes then meet a closed pipe
    const pipeline = `"${process.execPath}" "${HENCTL}" --help | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['-c', pipeline], (_error, stdout, stderr) => resolve({ stdout, stderr })),
    );
    expect(result).toEqual({ stdout: '0\n', stderr: '' });
  });

  it('keeps named contexts and shows every daemon in one table with --all', async () => {
    const xdg = join(dir.path, 'xdg-many');
    const env = { XDG_CONFIG_HOME: xdg };
    expect(
      (await henctl(['context', 'add', 'main', '--url', url, '--token', TOKEN], env)).code,
    ).toBe(0);
    expect(
      (await henctl(['context', 'add', 'other', '--url', `http://127.0.0.1:${other.port}`], env))
        .code,
    ).toBe(0);
    const file = join(xdg, 'hen-backup', 'contexts.yaml');
    expect(readFileSync(file, 'utf8')).toContain(TOKEN);
    // the first context added is the current one
    expect(JSON.parse((await henctl(['status', '--json'], env)).stdout).status.hostname).toBe(
      'main-host',
    );
    expect((await henctl(['context', 'use', 'other'], env)).stdout).toBe(
      'current context: other\n',
    );
    expect(JSON.parse((await henctl(['status', '--json'], env)).stdout).status.hostname).toBe(
      'other-host',
    );
    const listed = JSON.parse((await henctl(['context', 'list', '--json'], env)).stdout);
    expect(listed).toEqual({
      file,
      current: 'other',
      contexts: [
        { name: 'main', url: `${url}/graphql`, current: false, hasToken: true },
        {
          name: 'other',
          url: `http://127.0.0.1:${other.port}/graphql`,
          current: true,
          hasToken: false,
        },
      ],
    });

    const all = await henctl(['backups', '--all'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^HOST\s+NAME\s+PATHS/);
    expect(all.stdout).toMatch(/^main\s+docs\s/m);
    expect(all.stdout).toMatch(/^other\s+elsewhere\s/m);
    const allJson = JSON.parse((await henctl(['status', '--all', '--json'], env)).stdout);
    expect(Object.keys(allJson)).toEqual(['main', 'other']);
    expect(allJson.other.status.hostname).toBe('other-host');

    expect((await henctl(['context', 'remove', 'other'], env)).stdout).toBe(
      'removed context other\n',
    );
    expect(
      Object.keys(JSON.parse((await henctl(['context', 'list', '--json'], env)).stdout).contexts),
    ).toHaveLength(1);
  });

  describe('bad input: one line and the documented exit code', () => {
    it.each([
      ['an unknown backup', ['run', 'nope'], 2, /no backup named "nope" \(NOT_FOUND\)$/],
      ['a bad snapshot id', ['ls', 'local', 'xyz'], 2, /\(BAD_USER_INPUT\)$/],
      ['a missing --target', ['restore', 'local', 'latest'], 2, /required option '--target <dir>'/],
      ['a bad argument', ['jobs', '--limit', '0'], 2, /--limit.*1 to 500/],
      ['an unknown command', ['frobnicate'], 2, /unknown command 'frobnicate'/],
    ])('%s', async (_what, args, code, message) => {
      const result = await cli(args);
      expect(result.code).toBe(code);
      expect(oneLine(result)).toMatch(message);
      expect(result.stdout).toBe('');
    });

    it('a wrong token: exit 4', async () => {
      const result = await henctl(['--url', url, '--token', 'not-the-token', 'status']);
      expect(result.code).toBe(4);
      expect(oneLine(result)).toMatch(/\(UNAUTHENTICATED\)$/);
    });

    it('an unreachable URL: exit 4', async () => {
      const port = await freePort();
      const result = await henctl(['--url', `http://127.0.0.1:${port}`, 'status']);
      expect(result.code).toBe(4);
      expect(oneLine(result)).toBe(
        `henctl: cannot reach http://127.0.0.1:${port}/graphql: ECONNREFUSED`,
      );
    });

    it('a malformed contexts file: exit 2, naming the file', async () => {
      const xdg = join(dir.path, 'xdg-bad');
      mkdirSync(join(xdg, 'hen-backup'), { recursive: true });
      const file = join(xdg, 'hen-backup', 'contexts.yaml');
      writeFileSync(file, 'contexts:\n  laptop: [oops\n');
      const result = await henctl(['status'], { XDG_CONFIG_HOME: xdg });
      expect(result.code).toBe(2);
      expect(oneLine(result)).toMatch(new RegExp(`^henctl: contexts file ${file}: not valid YAML`));
    });

    it('a stopped daemon: exit 4, alone or among others with --all', async () => {
      const xdg = join(dir.path, 'xdg-stopped');
      const env = { XDG_CONFIG_HOME: xdg };
      await henctl(['context', 'add', 'main', '--url', url, '--token', TOKEN], env);
      await henctl(['context', 'add', 'other', '--url', `http://127.0.0.1:${other.port}`], env);
      await other.stop();
      const alone = await henctl(['--context', 'other', 'status'], env);
      expect(alone.code).toBe(4);
      expect(oneLine(alone)).toMatch(/cannot reach .*ECONNREFUSED$/);
      const all = await henctl(['status', '--all'], env);
      expect(all.code).toBe(4);
      expect(oneLine(all)).toMatch(/^henctl: other: cannot reach /);
      expect(all.stdout).toMatch(/^main\s+docs\s/m);
      expect(existsSync(join(xdg, 'hen-backup', 'contexts.yaml'))).toBe(true);
    });
  });
});
