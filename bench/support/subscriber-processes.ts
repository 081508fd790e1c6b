/**
 * The fan-out benchmark's subscribers: `count` graphql-ws clients (the library dashboards use,
 * each on its own websocket) subscribed with one query, run in child processes of their own,
 * `count / processes` in each, recording every result with its receipt time.
 *
 * Why processes: 2,000 clients in one process share one heap, and each of its garbage
 * collections (a major one every few seconds, with 2,000 copies of every version to parse)
 * stalled all of them at once, in the middle of a delivery: one version in a run then reached
 * every subscriber 50–100 ms late, which no set of dashboards on machines of their own does.
 * Split over processes, a collection stalls the clients of one; the work on the machine's CPUs
 * is the same.
 *
 * API: `startSubscribers(url, count, processes, query)` → a SubscriberProcesses:
 * - `ended(jobId)`: once every subscriber has received a version of the job that is not QUEUED
 *   or RUNNING, the first process's first subscriber's (as received);
 * - `received(atLeast, exceptId)`: once every subscriber has received `atLeast` results of jobs
 *   other than `exceptId`;
 * - `streams(filter)`: every subscriber's received versions (`{ wall, mono, job }`, `wall` from
 *   Date.now(), `mono` from performance.timeOrigin + now(): comparable between the processes),
 *   in a fixed subscriber order, with the number of errors; `forget()` lets them go;
 * - `dispose()`: closes every client and ends the processes.
 */
import { createClient, type Client } from 'graphql-ws';
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface ReceivedVersion<Job> {
  wall: number;
  mono: number;
  job: Job;
}

interface AnyJob {
  id: string;
  state: string;
}

type Ask =
  | { connect: { url: string; count: number; query: string } }
  | { ended: string }
  | { received: { atLeast: number; exceptId: string } }
  | { streams: { id?: string; exceptId?: string } }
  | { forget: true }
  | { dispose: true };

type Answer = { job?: AnyJob; streams?: ReceivedVersion<AnyJob>[][]; errors?: number };

interface Question {
  see(index: number, job: AnyJob): void;
  holds(): boolean;
  answer(): Answer;
}

const isFinal = (job: AnyJob) => job.state !== 'QUEUED' && job.state !== 'RUNNING';

export interface SubscriberProcesses<Job> {
  ended(jobId: string, timeoutMs: number): Promise<Job>;
  received(atLeast: number, exceptId: string, timeoutMs: number): Promise<void>;
  streams(filter: {
    id?: string;
    exceptId?: string;
  }): Promise<{ streams: ReceivedVersion<Job>[][]; errors: number }>;
  forget(): Promise<void>;
  dispose(): Promise<void>;
}

/** One child process and the answers it owes, in order. */
class Child {
  private readonly waiting: { resolve: (answer: Answer) => void; reject: (e: Error) => void }[] =
    [];

  constructor(readonly process: ChildProcess) {
    process.on('message', (answer: Answer) => this.waiting.shift()?.resolve(answer));
    process.once('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`subscribers exited ${code}`));
    });
  }

  ask(message: Ask, timeoutMs = 120_000): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for the subscribers: ${Object.keys(message)[0]}`)),
        timeoutMs,
      );
      this.waiting.push({
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject,
      });
      if (!this.process.connected) {
        clearTimeout(timer);
        this.waiting.pop();
        reject(new Error('the subscribers are gone'));
        return;
      }
      this.process.send(message);
    });
  }
}

export async function startSubscribers<Job extends AnyJob>(
  url: string,
  count: number,
  processes: number,
  query: string,
): Promise<SubscriberProcesses<Job>> {
  const children = Array.from(
    { length: Math.min(processes, count) },
    () =>
      new Child(
        fork(__filename, ['--subscribe'], {
          execArgv: process.execArgv,
          serialization: 'advanced',
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      ),
  );
  const share = (i: number) =>
    Math.floor(count / children.length) + (i < count % children.length ? 1 : 0);
  await Promise.all(
    children.map((child, i) => child.ask({ connect: { url, count: share(i), query } })),
  );
  let disposed = false;
  const all = (message: Ask, timeoutMs?: number) =>
    Promise.all(children.map((child) => child.ask(message, timeoutMs)));
  return {
    ended: async (jobId, timeoutMs) => (await all({ ended: jobId }, timeoutMs))[0].job as Job,
    received: async (atLeast, exceptId, timeoutMs) => {
      await all({ received: { atLeast, exceptId } }, timeoutMs);
    },
    streams: async (filter) => {
      const answers = await all({ streams: filter });
      return {
        streams: answers.flatMap((a) => a.streams ?? []) as ReceivedVersion<Job>[][],
        errors: answers.reduce((n, a) => n + (a.errors ?? 0), 0),
      };
    },
    forget: async () => {
      await all({ forget: true });
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      const exited = children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.process.exitCode !== null || child.process.signalCode !== null) resolve();
            else child.process.once('exit', () => resolve());
          }),
      );
      await all({ dispose: true }).catch(() => undefined);
      await Promise.all(exited);
    },
  };
}

/** In the child: the clients, and answers to the benchmark's questions about what they got. */
function subscribe(): void {
  const clients: Client[] = [];
  const events: ReceivedVersion<AnyJob>[][] = [];
  let errors = 0;
  /** a question waiting for the subscribers, told each result as it comes (no scans meanwhile) */
  let pending: Question | undefined;
  const reply = (answer: Answer) => process.send!(answer);
  const settle = () => {
    if (pending?.holds()) {
      const question = pending;
      pending = undefined;
      reply(question.answer());
    }
  };
  const pose = (question: Question) => {
    events.forEach((stream, index) => stream.forEach((e) => question.see(index, e.job)));
    pending = question;
    settle();
  };

  const connect = async (url: string, count: number, query: string) => {
    for (let i = 0; i < count; i++) {
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
      const connected = new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        client.on('error', reject);
      });
      const index = events.length;
      const received: ReceivedVersion<AnyJob>[] = [];
      events.push(received);
      clients.push(client);
      client.subscribe<Record<string, AnyJob>>(
        { query },
        {
          next: (value) => {
            const wall = Date.now();
            const mono = performance.timeOrigin + performance.now();
            if (value.errors) errors += value.errors.length;
            const job = value.data && Object.values(value.data)[0];
            if (!job) return;
            received.push({ wall, mono, job });
            if (!pending) return;
            pending.see(index, job);
            settle();
          },
          error: () => errors++,
          complete: () => undefined,
        },
      );
      await connected;
    }
    reply({});
  };

  process.on('message', (message: Ask) => {
    if ('connect' in message) {
      void connect(message.connect.url, message.connect.count, message.connect.query);
    } else if ('ended' in message) {
      const ends = new Map<number, AnyJob>();
      pose({
        see: (index, job) => {
          if (job.id === message.ended && isFinal(job) && !ends.has(index)) ends.set(index, job);
        },
        holds: () => ends.size === events.length,
        answer: () => ({ job: ends.get(0) }),
      });
    } else if ('received' in message) {
      const { atLeast, exceptId } = message.received;
      const counts = events.map(() => 0);
      let reached = atLeast <= 0 ? events.length : 0;
      pose({
        see: (index, job) => {
          if (job.id !== exceptId && ++counts[index] === atLeast) reached++;
        },
        holds: () => reached === events.length,
        answer: () => ({}),
      });
    } else if ('streams' in message) {
      const { id, exceptId } = message.streams;
      reply({
        streams: events.map((stream) =>
          stream.filter((e) => (id === undefined || e.job.id === id) && e.job.id !== exceptId),
        ),
        errors,
      });
    } else if ('forget' in message) {
      for (const stream of events) stream.splice(0);
      reply({});
    } else if ('dispose' in message) {
      void Promise.all(clients.map(async (c) => c.dispose())).then(() => {
        reply({});
        process.disconnect();
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === '--subscribe') subscribe();
