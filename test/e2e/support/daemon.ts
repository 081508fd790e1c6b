import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { GraphQLTestClient } from './graphql-client';
import { freePort } from '../../support/servers/server-process';

const ROOT = join(__dirname, '..', '..', '..');

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The real daemon in a child process, run from the TypeScript sources, as a user would start it.
 * Collects every stdout and stderr line so tests can read the logs.
 */
export class Daemon {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<DaemonExit>;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.stdout.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /**
   * `entry: 'dist'` runs the built daemon (`npm run build` first), as a deployment would; the
   * benchmarks use it so that start-up and memory figures do not include the TypeScript loader.
   */
  static spawn(
    args: string[],
    env: NodeJS.ProcessEnv = {},
    entry: 'sources' | 'dist' = 'sources',
  ): Daemon {
    const main = entry === 'dist' ? ['dist/main.js'] : ['-r', '@swc-node/register', 'src/main.ts'];
    const child = spawn(process.execPath, [...main, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Daemon(child);
  }

  /**
   * Starts the daemon and resolves once it listens; rejects with its output if it exits first.
   * `args` go on the command line after `--config PATH` (`--read-only`, say).
   */
  static async start(
    configPath: string,
    env: NodeJS.ProcessEnv = {},
    entry: 'sources' | 'dist' = 'sources',
    args: string[] = [],
  ): Promise<Daemon> {
    const daemon = Daemon.spawn(['--config', configPath, ...args], env, entry);
    try {
      // logged at info: a configuration with log.level warn or above never says it
      await daemon.waitForLog(/listening on http/, 60_000);
    } catch (error) {
      // nobody else holds the daemon yet: do not leave it running
      daemon.kill('SIGKILL');
      throw error;
    }
    return daemon;
  }

  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const line = this.stdout.find((l) => pattern.test(l));
      if (line) return line;
      if (exited || Date.now() > deadline) {
        throw new Error(
          `daemon ${exited ? 'exited' : 'timed out'} before logging ${pattern}:\n${[...this.stdout, ...this.stderr].slice(-30).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  async stop(): Promise<DaemonExit> {
    this.kill('SIGTERM');
    return this.exited;
  }
}

export interface StartedDaemon {
  daemon: Daemon;
  client: GraphQLTestClient;
  port: number;
  configPath: string;
  /** SIGTERM, then closes the client's websocket */
  stop(): Promise<DaemonExit>;
}

/**
 * Writes `config` as YAML to `dir/name`, with `api` on a free loopback port and `dataDir` under
 * `dir` unless given; for tests that start the daemon themselves, or expect it not to start.
 */
export async function writeConfigFile(
  dir: string,
  config: Record<string, unknown>,
  name = 'config.yaml',
): Promise<{ port: number; configPath: string }> {
  const port = await freePort();
  const configPath = join(dir, name);
  const api = { host: '127.0.0.1', ...(config.api as object | undefined), port };
  writeFileSync(configPath, stringify({ dataDir: join(dir, 'state'), ...config, api }));
  return { port, configPath };
}

/**
 * Writes `config` as YAML into `dir` (see writeConfigFile), starts the daemon on it (with `args`
 * after `--config PATH`) and returns it with a client.
 */
export async function startDaemon(
  dir: string,
  config: Record<string, unknown>,
  options: { env?: NodeJS.ProcessEnv; entry?: 'sources' | 'dist'; args?: string[] } = {},
): Promise<StartedDaemon> {
  const { port, configPath } = await writeConfigFile(dir, config);
  const daemon = await Daemon.start(configPath, options.env, options.entry, options.args);
  const client = new GraphQLTestClient(port);
  return {
    daemon,
    client,
    port,
    configPath,
    stop: async () => {
      await client.close();
      return daemon.stop();
    },
  };
}
