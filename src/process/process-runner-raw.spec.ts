import { createHash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { ProcessRunner } from './process-runner';

const node = process.execPath;
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** The raw-bytes path of ProcessRunner (onStdoutStream), used by `restic dump`. */
describe('ProcessRunner raw stdout', () => {
  it('hands over stdout as bytes, untouched, and still splits stderr into lines', async () => {
    // every byte value, CR and LF included, and more than one pipe buffer
    const script = `
      const b = Buffer.alloc(300000); for (let i = 0; i < b.length; i++) b[i] = (i * 7) % 256;
      process.stderr.write('warn one\\nwarn two\\n');
      process.stdout.write(b);`;
    const expected = Buffer.alloc(300000);
    for (let i = 0; i < expected.length; i++) expected[i] = (i * 7) % 256;
    const chunks: Buffer[] = [];
    const stderr: string[] = [];
    const stdoutLines: string[] = [];
    const result = await new ProcessRunner().run({
      command: node,
      args: ['-e', script],
      env,
      onStdoutLine: (l) => stdoutLines.push(l),
      onStderrLine: (l) => stderr.push(l),
      onStdoutStream: (stdout) => stdout.on('data', (c: Buffer) => chunks.push(c)),
    });
    expect(result.exitCode).toBe(0);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    expect(stdoutLines).toEqual([]);
    expect(stderr).toEqual(['warn one', 'warn two']);
  });

  it('respects backpressure: a slow consumer gets everything, in order', async () => {
    const script = `
      const crypto = require('crypto'); const b = crypto.randomBytes(2 * 1024 * 1024);
      process.stderr.write(crypto.createHash('sha256').update(b).digest('hex') + '\\n');
      process.stdout.write(b);`;
    const hash = createHash('sha256');
    let stderrHash = '';
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        setImmediate(callback);
      },
    });
    const result = await new ProcessRunner().run({
      command: node,
      args: ['-e', script],
      env,
      onStderrLine: (l) => (stderrHash = l),
      onStdoutStream: (stdout) => stdout.pipe(slow),
    });
    if (!slow.writableFinished) await new Promise((resolve) => slow.once('finish', resolve));
    expect(result.exitCode).toBe(0);
    expect(hash.digest('hex')).toBe(stderrHash);
  });

  it('aborts a child nobody reads any more', async () => {
    const controller = new AbortController();
    const sink = new PassThrough({ highWaterMark: 16 });
    const result = await new ProcessRunner().run({
      command: node,
      args: ['-e', `setInterval(() => process.stdout.write(Buffer.alloc(65536)), 1)`],
      env,
      signal: controller.signal,
      killGraceMs: 2_000,
      onStdoutStream: (stdout) => {
        stdout.pipe(sink); // never read: the pipe fills and the child blocks
        setTimeout(() => {
          stdout.unpipe(sink);
          stdout.resume();
          controller.abort();
        }, 200);
      },
    });
    expect(result.aborted).toBe(true);
  });
});

describe('ProcessRunner raw stdout after the child exits', () => {
  it('waits for a reader slower than the exit grace instead of cutting the output short', async () => {
    const size = 256 * 1024;
    let received = 0;
    let slowUntil = Date.now() + 8_000;
    const reader = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        // stalls past the runner's 2 s grace after the child has exited
        setTimeout(callback, Date.now() < slowUntil ? 1_500 : 0);
      },
    });
    const result = await new ProcessRunner().run({
      command: node,
      args: ['-e', `process.stdout.write(Buffer.alloc(${size}, 1))`],
      env,
      onStdoutStream: (stdout) => stdout.pipe(reader),
    });
    slowUntil = 0;
    if (!reader.writableFinished) await new Promise((resolve) => reader.once('finish', resolve));
    expect(result.exitCode).toBe(0);
    expect(received).toBe(size);
  }, 30_000);
});
