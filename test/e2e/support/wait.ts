import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from 'graphql-ws';
import type { GraphQLTestClient } from './graphql-client';
import { waitFor } from '../../support/wait-for';

/** `backup` and `repository` alias the names: the fields of those names are objects. */
export const JOB_FIELDS = `id number operation backup: backupName repository: repositoryName trigger state
  error { code message } steps { name state repository: repositoryName error { code message } }`;

/** The number of a job from its global id (`Job:42` -> 42), as logs and metrics show it. */
export const jobNumber = (id: string): number => Number(id.slice(id.lastIndexOf(':') + 1));

/**
 * One job as the API shows it: JOB_FIELDS, and `moreFields` (`snapshotIds`, `steps { summary }`:
 * a field named again merges with the one in JOB_FIELDS).
 */
export async function getJob(client: GraphQLTestClient, id: string, moreFields = ''): Promise<any> {
  const { job } = await client.data(
    `query($id: ID!) { job(id: $id) { ${JOB_FIELDS} ${moreFields} } }`,
    { id },
  );
  return job;
}

/** Waits until the job has ended (neither QUEUED nor RUNNING) and returns it, as getJob does. */
export async function waitForEnd(
  client: GraphQLTestClient,
  id: string,
  timeoutMs = 60_000,
  moreFields = '',
): Promise<any> {
  let job: any;
  await waitFor(
    async () => {
      job = await getJob(client, id, moreFields);
      return !['QUEUED', 'RUNNING'].includes(job.state);
    },
    `end of job ${id}`,
    timeoutMs,
  );
  return job;
}

/** Waits until the job runs and restic has reported progress. */
export async function waitForProgress(client: GraphQLTestClient, id: string): Promise<void> {
  await waitFor(async () => {
    const { job } = await client.data(
      `query($id: ID!) { job(id: $id) { state progress { percent } } }`,
      { id },
    );
    if (!['QUEUED', 'RUNNING'].includes(job.state)) throw new Error(`job ${id} ${job.state}`);
    return job.state === 'RUNNING' && job.progress !== null;
  }, `progress of job ${id}`);
}

/** Jobs of these operations (`[]`: of all), newest first. */
export async function listJobs(client: GraphQLTestClient, operations: string[]): Promise<any[]> {
  const { jobs } = await client.data(
    `query($o: [JobOperation!]) { jobs(first: 500, filter: { operations: $o }) { edges { node { ${JOB_FIELDS} } } } }`,
    { o: operations },
  );
  return jobs.edges.map((e: any) => e.node);
}

/**
 * Waits until at least `count` jobs of the operation (or of any of several; `[]`: of any
 * operation) exist and all of them have ended.
 */
export async function waitForJobs(
  client: GraphQLTestClient,
  operation: string | string[],
  count: number,
  timeoutMs = 60_000,
): Promise<any[]> {
  const operations = typeof operation === 'string' ? [operation] : operation;
  let jobs: any[] = [];
  await waitFor(
    async () => {
      jobs = await listJobs(client, operations);
      return jobs.length >= count && jobs.every((j) => !['QUEUED', 'RUNNING'].includes(j.state));
    },
    `${count} ended ${operations.join('/') || 'any'} jobs`,
    timeoutMs,
  );
  return jobs;
}

/** Processes working on the repository (restic gets it in RESTIC_REPOSITORY). */
export function resticPidsOn(repository: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return environ.includes(`RESTIC_REPOSITORY=${repository}`);
      } catch {
        return false;
      }
    });
}

/**
 * Resolves with a job's final state, from a `jobUpdated` subscription on that job (its current
 * state first, then each change; it completes after the final one), as a client waits for it:
 * nothing polls the daemon meanwhile.
 */
export function endOfJob(ws: Client, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let state = '';
    ws.subscribe<{ jobUpdated: { state: string } }>(
      {
        query: 'subscription($id: ID!) { jobUpdated(filter: { id: $id }) { state } }',
        variables: { id },
      },
      {
        next: ({ data, errors }) => {
          if (errors?.length) reject(new Error(JSON.stringify(errors)));
          if (data) state = data.jobUpdated.state;
        },
        error: reject,
        complete: () => resolve(state),
      },
    );
  });
}
