import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner, ProcessSpawnError, type ProcessSpec } from './process-runner';

const node = process.execPath;
const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** Runs a Node script and collects what the runner reports. */
async function runScript(script: string, extra: Partial<ProcessSpec> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const result = await new ProcessRunner().run({
    command: node,
    args: ['-e', script],
    env: baseEnv,
    onStdoutLine: (l) => stdout.push(l),
    onStderrLine: (l) => stderr.push(l),
    ...extra,
  });
  return { ...result, stdout, stderr };
}

describe('ProcessRunner', () => {
  it('splits streamed chunks into lines, handling CRLF and a last line without newline', async () => {
    const script = `
      const w = (s, ms) => new Promise((r) => setTimeout(() => { process.stdout.write(s); r(); }, ms));
      (async () => { await w('hel', 0); await w('lo\\r\\nwor', 30); await w('ld\\n\\nlast', 30); })();`;
    const { stdout, exitCode } = await runScript(script);
    expect(exitCode).toBe(0);
    expect(stdout).toEqual(['hello', 'world', '', 'last']);
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const script = `
      const b = Buffer.from('héllo wörld\\n');
      process.stdout.write(b.subarray(0, 2));
      setTimeout(() => process.stdout.write(b.subarray(2)), 30);`;
    const { stdout } = await runScript(script);
    expect(stdout).toEqual(['héllo wörld']);
  });

  it('reports stdout and stderr separately', async () => {
    const { stdout, stderr } = await runScript(
      `console.log('out1'); console.error('err1'); console.log('out2');`,
    );
    expect(stdout).toEqual(['out1', 'out2']);
    expect(stderr).toEqual(['err1']);
  });

  it('streams many lines', async () => {
    let count = 0;
    const result = await new ProcessRunner().run({
      command: node,
      args: ['-e', `for (let i = 0; i < 50000; i++) console.log('line ' + i);`],
      env: baseEnv,
      onStdoutLine: () => count++,
    });
    expect(result.exitCode).toBe(0);
    expect(count).toBe(50000);
  });

  it('passes exactly the given environment', async () => {
    const { stdout } = await runScript(`console.log(JSON.stringify(process.env))`, {
      env: { ONLY_THIS: 'yes' },
    });
    expect(JSON.parse(stdout[0])).toEqual({ ONLY_THIS: 'yes' });
  });

  it('passes arguments without a shell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    try {
      const tricky = `$(touch ${dir}/pwned); touch ${dir}/pwned2 *`;
      const result = await new ProcessRunner().run({
        command: node,
        args: ['-e', 'console.log(process.argv[1])', tricky],
        env: baseEnv,
        cwd: dir,
        onStdoutLine: (l) => expect(l).toBe(tricky),
      });
      expect(result.exitCode).toBe(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns the exit code', async () => {
    const result = await new ProcessRunner().run({
      command: 'sh',
      args: ['-c', 'exit 3'],
      env: baseEnv,
    });
    expect(result).toEqual({ exitCode: 3, signal: null, aborted: false });
  });

  it('sends SIGINT on abort so the program can clean up', async () => {
    const controller = new AbortController();
    const script = `
      process.on('SIGINT', () => { console.log('cleaning up'); process.exit(130); });
      console.log('ready'); setInterval(() => {}, 1000);`;
    const result = await runScript(script, {
      signal: controller.signal,
      onStdoutLine: (l) => {
        if (l === 'ready') controller.abort();
        else expect(l).toBe('cleaning up');
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.exitCode).toBe(130);
    expect(result.signal).toBeNull();
  });

  it('sends SIGKILL when the program ignores SIGINT past the grace time', async () => {
    const controller = new AbortController();
    const script = `process.on('SIGINT', () => {}); console.log('ready'); setInterval(() => {}, 1000);`;
    const result = await runScript(script, {
      signal: controller.signal,
      killGraceMs: 200,
      onStdoutLine: (l) => l === 'ready' && controller.abort(),
    });
    expect(result).toMatchObject({ aborted: true, exitCode: null, signal: 'SIGKILL' });
  });

  it('with processGroup, stops what the child started too, even what ignores SIGINT', async () => {
    const controller = new AbortController();
    let background = 0;
    // A killed orphan may stay a zombie when PID 1 does not reap (containers): that is dead too.
    const alive = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
      } catch {
        return false;
      }
    };
    // A non-interactive shell's background job ignores SIGINT: only the group's SIGKILL ends it.
    const result = await new ProcessRunner().run({
      command: 'sh',
      args: ['-c', 'sleep 300 & echo $!; wait'],
      env: baseEnv,
      signal: controller.signal,
      killGraceMs: 5_000,
      processGroup: true,
      onStdoutLine: (line) => {
        background = Number(line);
        controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(background).toBeGreaterThan(0);
    for (let i = 0; i < 50 && alive(background); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(background)).toBe(false);
  });

  it('does not start anything when the signal has already fired', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    try {
      const result = await new ProcessRunner().run({
        command: 'sh',
        args: ['-c', `touch ${dir}/started`],
        env: baseEnv,
        signal: AbortSignal.abort(),
      });
      expect(result).toEqual({ exitCode: null, signal: null, aborted: true });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects with a typed error when the program does not exist', async () => {
    const error: unknown = await new ProcessRunner()
      .run({ command: '/nonexistent/restic', args: [], env: baseEnv })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessSpawnError);
    expect(error).toMatchObject({ code: 'ENOENT', command: '/nonexistent/restic' });
  });

  it('delivers an endless line in pieces', async () => {
    const { stdout } = await runScript(`process.stdout.write('x'.repeat(2500))`, {
      maxLineLength: 1000,
    });
    expect(stdout.map((l) => l.length)).toEqual([1000, 1000, 500]);
  });

  it('waits for the process, then rejects with the error of a throwing callback', async () => {
    const seen: string[] = [];
    const error: unknown = await new ProcessRunner()
      .run({
        command: node,
        args: ['-e', `console.log('a'); console.log('b'); console.error('c')`],
        env: baseEnv,
        onStdoutLine: (l) => {
          seen.push(l);
          throw new Error(`bad ${l}`);
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('bad a');
    expect(seen).toEqual(['a']);
  });
});
