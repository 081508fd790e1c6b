/**
 * Long-running helper processes (sshd, rclone, s3rver) for backend tests. Each one is tied to
 * the test process three ways so that none outlives it, even when a test fails or jest is killed:
 * stop() in afterAll, a kill on process exit, and the kernel's parent-death signal (setpriv
 * --pdeathsig), which also covers a SIGKILLed test worker.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

let pdeathsigSupported: boolean | undefined;

/** Whether `setpriv --pdeathsig` works here (util-linux ≥ 2.33). */
function canUsePdeathsig(): boolean {
  if (pdeathsigSupported === undefined) {
    try {
      execFileSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' });
      pdeathsigSupported = true;
    } catch {
      pdeathsigSupported = false;
    }
  }
  return pdeathsigSupported;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The first of `candidates` that exists, else the bare name (looked up on PATH). */
export function findExecutable(name: string, candidates: string[]): string {
  return candidates.find((path) => existsSync(path)) ?? name;
}

export interface ServerProcessOptions {
  /** for messages */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** keep stdin open: a child that watches it notices when the test process goes away */
  pipeStdin?: boolean;
}

/** One child process whose output is kept for error messages. */
export class ServerProcess {
  readonly output: string[] = [];
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private exitedFlag = false;

  constructor(private readonly options: ServerProcessOptions) {
    killAllOnExit();
    const [command, args] = canUsePdeathsig()
      ? ['setpriv', ['--pdeathsig', 'KILL', options.command, ...options.args]]
      : [options.command, options.args];
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.pipeStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('error', (error) => this.output.push(String(error)));
    this.exited = new Promise((resolve) =>
      this.child.once('close', () => {
        this.exitedFlag = true;
        running.delete(this.child);
        resolve();
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitedFlag;
  }

  /** Resolves once `ready` holds; rejects with the process's output if it exits or times out. */
  async waitUntil(ready: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitedFlag) throw this.failure('exited before it was ready');
      if (await ready()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw this.failure(`was not ready after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exitedFlag) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private failure(what: string): Error {
    const tail = this.output.slice(-20).join('\n');
    return new Error(`${this.options.name} ${what}${tail ? `:\n${tail}` : ''}`);
  }
}
