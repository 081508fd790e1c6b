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
 *   Date.now(), `mono` in ms of the system's monotonic clock, which every process reads alike),
 *   in a fixed subscriber order, with the number of errors;
 * - `dispose()`: closes every client and ends the processes.
 * The processes are HelperProcesses (helper-process.ts).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { answerQuestions, forkHelper, type HelperProcess } from './helper-process';

export interface ReceivedVersion<Job> {
  wall: number;
  mono: number;
  job: Job;
}

interface AnyJob {
  id: string;
  state: string;
}

interface Connect {
  url: string;
  count: number;
  query: string;
}

type Question =
  | { connect: Connect }
  | { ended: string }
  | { received: { atLeast: number; exceptId: string } }
  | { streams: { id?: string; exceptId?: string } }
  | { dispose: true };

interface Answer {
  job?: AnyJob;
  streams?: ReceivedVersion<AnyJob>[][];
  errors?: number;
}

/** In a child: a question about what the subscribers got, told each result as it comes. */
interface Awaited {
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
  dispose(): Promise<void>;
}

export async function startSubscribers<Job extends AnyJob>(
  url: string,
  count: number,
  processes: number,
  query: string,
): Promise<SubscriberProcesses<Job>> {
  if (!Number.isInteger(processes) || processes < 1) {
    throw new Error(`subscriber processes: a whole number of at least 1, not ${processes}`);
  }
  const children: HelperProcess<Question, Answer>[] = Array.from(
    { length: Math.min(processes, count) },
    () => forkHelper<Question, Answer>(__filename, '--subscribe', 'subscribers'),
  );
  const all = (question: Question, timeoutMs?: number) =>
    Promise.all(children.map((child) => child.ask(question, timeoutMs)));
  let disposing: Promise<void> | undefined;
  const dispose = () =>
    (disposing ??= (async () => {
      await all({ dispose: true }).catch(() => children.forEach((c) => c.kill()));
      await Promise.all(children.map((c) => c.stop()));
    })());
  const share = (i: number) =>
    Math.floor(count / children.length) + (i < count % children.length ? 1 : 0);
  try {
    await Promise.all(
      children.map((child, i) => child.ask({ connect: { url, count: share(i), query } })),
    );
  } catch (error) {
    await dispose();
    throw error;
  }
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
    dispose,
  };
}

/** In the child: the clients, and answers to the benchmark's questions about what they got. */
function subscribe(): void {
  const clients: Client[] = [];
  const events: ReceivedVersion<AnyJob>[][] = [];
  let errors = 0;
  /** questions waiting for the subscribers, told each result as it comes (no scans meanwhile) */
  const pending = new Set<Awaited & { settle: (answer: Answer) => void }>();
  const settle = () => {
    for (const question of pending) {
      if (!question.holds()) continue;
      pending.delete(question);
      question.settle(question.answer());
    }
  };
  const until = (question: Awaited) =>
    new Promise<Answer>((resolve) => {
      events.forEach((stream, index) => stream.forEach((e) => question.see(index, e.job)));
      pending.add({ ...question, settle: resolve });
      settle();
    });

  const connect = async ({ url, count, query }: Connect): Promise<Answer> => {
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
            // the system's monotonic clock, the same in every process
            const mono = Number(process.hrtime.bigint()) / 1e6;
            if (value.errors) errors += value.errors.length;
            const job = value.data && Object.values(value.data)[0];
            if (!job) return;
            received.push({ wall, mono, job });
            if (!pending.size) return;
            for (const question of pending) question.see(index, job);
            settle();
          },
          error: () => errors++,
          complete: () => undefined,
        },
      );
      await connected;
    }
    return {};
  };

  answerQuestions<Question, Answer>(async (question) => {
    if ('connect' in question) return connect(question.connect);
    if ('ended' in question) {
      const ends = new Map<number, AnyJob>();
      return until({
        see: (index, job) => {
          if (job.id === question.ended && isFinal(job) && !ends.has(index)) ends.set(index, job);
        },
        holds: () => ends.size === events.length,
        answer: () => ({ job: ends.get(0) }),
      });
    }
    if ('received' in question) {
      const { atLeast, exceptId } = question.received;
      const counts = events.map(() => 0);
      let reached = atLeast <= 0 ? events.length : 0;
      return until({
        see: (index, job) => {
          if (job.id !== exceptId && ++counts[index] === atLeast) reached++;
        },
        holds: () => reached === events.length,
        answer: () => ({}),
      });
    }
    if ('streams' in question) {
      const { id, exceptId } = question.streams;
      return {
        streams: events.map((stream) =>
          stream.filter((e) => (id === undefined || e.job.id === id) && e.job.id !== exceptId),
        ),
        errors,
      };
    }
    await Promise.all(clients.map(async (c) => c.dispose()));
    return {};
  });
}

if (process.argv[2] === '--subscribe') subscribe();
