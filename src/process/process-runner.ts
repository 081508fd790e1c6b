import { Injectable } from '@nestjs/common';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';

export interface ProcessSpec {
  command: string;
  args: string[];
  /** the complete environment of the child; it is not merged with process.env */
  env: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /**
   * Raw bytes instead of lines: the child's stdout is handed over as it is, and onStdoutLine is
   * not called. The callee must consume it (pipe it somewhere, with backpressure), or the child
   * blocks once the pipe is full.
   */
  onStdoutStream?: (stdout: Readable) => void;
  /** time between the cancel signal and SIGKILL once aborted; default 10 s */
  killGraceMs?: number;
  /**
   * Sent first when aborted; default SIGINT, which lets restic remove its lock (SIGTERM would
   * leave a stale one behind). Notification commands get SIGTERM, what programs expect.
   */
  cancelSignal?: NodeJS.Signals;
  /** written to the child's standard input, which is then closed; without it stdin is closed */
  stdin?: string;
  /**
   * Start the child in a process group of its own and signal the whole group when aborted, so
   * that what it started (`sh -c` pipelines, background jobs) stops with it. For hook commands;
   * restic is signalled alone so that it can remove its lock.
   */
  processGroup?: boolean;
  /**
   * A line longer than this is delivered in pieces, so that output without newlines cannot grow
   * without bound. Default 8 MiB; raise it for commands that print one large JSON document.
   */
  maxLineLength?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** the signal fired while the process ran (it was sent SIGINT, maybe SIGKILL) */
  aborted: boolean;
}

/** The process could not be started at all (binary missing, not executable, bad cwd). */
export class ProcessSpawnError extends Error {
  constructor(
    readonly command: string,
    /** errno code such as ENOENT or EACCES */
    readonly code: string,
    cause: Error,
  ) {
    super(`cannot start "${command}": ${code === 'ENOENT' ? 'not found' : cause.message}`, {
      cause,
    });
    this.name = 'ProcessSpawnError';
  }
}

// restic cleans up within a second or two of SIGINT; waiting longer would hold a daemon shutdown
// past the 15 s service managers allow before they kill it
const DEFAULT_KILL_GRACE_MS = 10_000;
const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;
/**
 * After the child exits its pipes normally close at once; a grandchild that inherited them (ssh
 * under restic, say) could hold them open forever, so stop waiting after this long.
 */
const CLOSE_AFTER_EXIT_MS = 2_000;

/** Splits a byte stream into lines as it arrives; handles multi-byte characters across chunks. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxLineLength: number,
  ) {}

  push(chunk: Buffer): void {
    this.consume(this.decoder.write(chunk));
  }

  end(): void {
    this.consume(this.decoder.end());
    if (this.pending.length > 0) this.emitLine(this.pending);
    this.pending = '';
  }

  private consume(text: string): void {
    if (text.length === 0) return;
    let data = this.pending + text;
    let newline = data.indexOf('\n');
    while (newline !== -1) {
      this.emitLine(data.slice(0, newline));
      data = data.slice(newline + 1);
      newline = data.indexOf('\n');
    }
    while (data.length > this.maxLineLength) {
      this.emit(data.slice(0, this.maxLineLength));
      data = data.slice(this.maxLineLength);
    }
    this.pending = data;
  }

  private emitLine(line: string): void {
    this.emit(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

/** The one place that starts external processes: an args array, never a shell. */
@Injectable()
export class ProcessRunner {
  run(spec: ProcessSpec): Promise<ProcessResult> {
    if (spec.signal?.aborted) {
      return Promise.resolve({ exitCode: null, signal: null, aborted: true });
    }
    return new Promise<ProcessResult>((resolve, reject) => {
      const maxLineLength = spec.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
      let callbackError: unknown;
      // A throwing callback must not leave the child unsupervised; remember it, fail at the end.
      const guard = (fn?: (line: string) => void) => (line: string) => {
        if (!fn || callbackError !== undefined) return;
        try {
          fn(line);
        } catch (error) {
          callbackError = error;
        }
      };
      const stdout = new LineSplitter(guard(spec.onStdoutLine), maxLineLength);
      const stderr = new LineSplitter(guard(spec.onStderrLine), maxLineLength);

      const child = spawn(spec.command, spec.args, {
        env: spec.env,
        cwd: spec.cwd,
        shell: false,
        // stdin closed unless given: restic would otherwise wait on a password prompt
        stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: spec.processGroup === true,
      }) as ChildProcessByStdio<Writable | null, Readable, Readable>;

      const signalChild = (signal: NodeJS.Signals) => {
        if (spec.processGroup && child.pid !== undefined) {
          try {
            process.kill(-child.pid, signal);
          } catch {
            // the whole group has exited already
          }
        } else if (!exit) {
          child.kill(signal);
        }
      };

      let spawned = false;
      let settled = false;
      let aborted = false;
      let killTimer: NodeJS.Timeout | undefined;
      let closeTimer: NodeJS.Timeout | undefined;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

      const cleanup = () => {
        if (killTimer) clearTimeout(killTimer);
        if (closeTimer) clearTimeout(closeTimer);
        spec.signal?.removeEventListener('abort', onAbort);
      };
      const finish = () => {
        if (settled || !exit) return;
        settled = true;
        // The leader of an aborted group is gone; whatever it left running goes with it.
        if (aborted && spec.processGroup) signalChild('SIGKILL');
        cleanup();
        stdout.end();
        stderr.end();
        if (callbackError !== undefined) {
          reject(
            callbackError instanceof Error
              ? callbackError
              : new Error('an output line callback threw', { cause: callbackError }),
          );
          return;
        }
        resolve({ exitCode: exit.code, signal: exit.signal, aborted });
      };
      const onAbort = () => {
        if (aborted || exit) return;
        aborted = true;
        signalChild(spec.cancelSignal ?? 'SIGINT');
        if (spec.onStdoutStream) {
          // Nobody will read the rest: drain it, or a child blocked on a full pipe could not
          // finish its cleanup before the SIGKILL and would leave its lock behind.
          child.stdout.unpipe();
          child.stdout.resume();
        }
        // A group is killed even when its leader has exited: what it left behind may ignore SIGINT
        // (background jobs of a non-interactive shell do).
        killTimer = setTimeout(
          () => signalChild('SIGKILL'),
          spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
        );
        killTimer.unref?.();
      };

      child.once('spawn', () => {
        spawned = true;
        if (spec.signal?.aborted) onAbort();
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        // after a successful spawn, errors come from kill() on a dead process: nothing to do
        if (spawned || settled) return;
        settled = true;
        cleanup();
        reject(new ProcessSpawnError(spec.command, error.code ?? 'UNKNOWN', error));
      });
      if (spec.stdin !== undefined && child.stdin) {
        // a command that does not read its input closes the pipe early: not an error
        child.stdin.on('error', () => undefined);
        child.stdin.end(spec.stdin);
      }
      const feed = (stream: Readable, splitter: LineSplitter) =>
        stream.on('data', (chunk: Buffer) => splitter.push(chunk));
      if (spec.onStdoutStream) {
        try {
          spec.onStdoutStream(child.stdout);
        } catch (error) {
          callbackError = error;
          child.stdout.resume();
        }
      } else {
        feed(child.stdout, stdout);
      }
      feed(child.stderr, stderr);

      child.once('exit', (code, signal) => {
        exit = { code, signal };
        const closeSoon = () => {
          closeTimer = setTimeout(() => {
            // raw stdout still holding unread bytes waits for its slow reader, not a grandchild
            const raw = child.stdout;
            if (
              spec.onStdoutStream &&
              !raw.readableEnded &&
              !raw.destroyed &&
              (raw.readableLength > 0 || raw.readableFlowing === false)
            ) {
              closeSoon();
              return;
            }
            child.stdout.destroy();
            child.stderr.destroy();
            finish();
          }, CLOSE_AFTER_EXIT_MS);
        };
        closeSoon();
      });
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        exit ??= { code, signal };
        finish();
      });
      spec.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
