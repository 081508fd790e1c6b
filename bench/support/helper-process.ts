/**
 * A benchmark's helper in a process of its own (its module forked with a flag, on the same Node
 * and loaders), asked questions over IPC: each question carries a number its answer comes back
 * with, has a timeout, and fails when the process ends before answering.
 *
 * API:
 * - parent: `forkHelper<Q, A>(file, flag, what)` → a HelperProcess: `ask(question, timeoutMs?)`
 *   resolves to the answer; `gone`; `stop()` disconnects (the helper exits) and waits for the
 *   exit; `kill()`.
 * - helper: `answerQuestions<Q, A>(answer)` answers each question with what `answer` returns or
 *   resolves to, questions being answered as they settle (not in order); a failed answer ends
 *   the helper (the parent's question fails with it); the helper exits when the parent
 *   disconnects.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Asked<Q> {
  ask: number;
  question: Q;
}

interface Answered<A> {
  ask: number;
  answer: A;
}

export class HelperProcess<Q extends object, A> {
  private readonly waiting = new Map<
    number,
    { resolve: (answer: A) => void; reject: (e: Error) => void }
  >();
  private asked = 0;
  private readonly exited: Promise<void>;
  /** the helper's process, for its CPU time */
  readonly pid: number;

  constructor(
    private readonly child: ChildProcess,
    private readonly what: string,
  ) {
    this.pid = child.pid!;
    child.on('message', ({ ask, answer }: Answered<A>) => this.waiting.get(ask)?.resolve(answer));
    // a send to a helper that died is told by its exit below
    child.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        for (const w of this.waiting.values()) {
          w.reject(new Error(`${what}: the process ended (${signal ?? code})`));
        }
        resolve();
      }),
    );
  }

  get gone(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  ask(question: Q, timeoutMs = 120_000): Promise<A> {
    if (!this.child.connected) return Promise.reject(new Error(`${this.what}: gone`));
    const ask = ++this.asked;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<A>((resolve, reject) => {
      this.waiting.set(ask, { resolve, reject });
      const about = Object.keys(question)[0];
      timer = setTimeout(
        () => reject(new Error(`${this.what}: timed out waiting for ${about}`)),
        timeoutMs,
      );
    });
    this.child.send({ ask, question } satisfies Asked<Q>);
    return answered.finally(() => {
      clearTimeout(timer);
      this.waiting.delete(ask);
    });
  }

  /** Disconnects (the helper exits) and waits until it has. */
  async stop(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.exited;
  }

  kill(): void {
    this.child.kill();
  }
}

export function forkHelper<Q extends object, A>(
  file: string,
  flag: string,
  what: string,
): HelperProcess<Q, A> {
  const child = fork(file, [flag], {
    execArgv: process.execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new HelperProcess<Q, A>(child, what);
}

export function answerQuestions<Q extends object, A>(
  answer: (question: Q) => A | Promise<A>,
): void {
  process.on('message', ({ ask, question }: Asked<Q>) => {
    Promise.resolve()
      .then(() => answer(question))
      .then(
        (result) => process.send?.({ ask, answer: result } satisfies Answered<A>),
        (error: unknown) => {
          console.error(`helper process: ${String(error)}`);
          process.exit(1);
        },
      );
  });
  process.on('disconnect', () => process.exit(0));
}
