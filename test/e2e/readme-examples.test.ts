import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildClientSchema,
  getIntrospectionQuery,
  parse,
  validate,
  type GraphQLSchema,
} from 'graphql';
import { parse as parseYaml } from 'yaml';
import { type StartedDaemon, startDaemon } from './support/daemon';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
/** Where the README's restore example writes; removed before and after. */
const RESTORE_TARGET = '/tmp/hen-backup-restore';

/** Every ```graphql block of the README, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * The README's GraphQL examples, run as written and in order against the bundled example
 * configuration (only its folders moved to a temporary directory), as a new user would try them.
 */
describe('the README examples', () => {
  const dir = tempDir('e2e-readme');
  let started: StartedDaemon;
  let schema: GraphQLSchema;

  beforeAll(async () => {
    rmSync(RESTORE_TARGET, { recursive: true, force: true });
    const example = parseYaml(
      readFileSync(join(EXAMPLES, 'hen-backup.example.yaml'), 'utf8'),
    ) as Record<string, any>;
    example.repositories.local.location = join(dir.path, 'repository');
    example.repositories.local.passwordFile = join(EXAMPLES, 'example-password.txt');
    example.backups.sample.paths = [join(EXAMPLES, 'sample')];
    delete example.dataDir;
    started = await startDaemon(dir.path, example);
    const { data } = await started.client.request(getIntrospectionQuery());
    schema = buildClientSchema(data);
    await idle();
  }, 60_000);

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
    rmSync(RESTORE_TARGET, { recursive: true, force: true });
  });

  /** Waits until no job runs or waits, so that each example sees what the ones before it did. */
  const idle = () =>
    waitFor(async () => {
      const { status } = await started.client.data('{ status { queuedJobs runningJobs } }');
      return status.queuedJobs === 0 && status.runningJobs === 0;
    }, 'an idle queue');

  it('has examples of queries, mutations and subscriptions', () => {
    const kinds = readmeExamples().map((text) => /^\s*(?:#.*\n\s*)*(\w+|\{)/.exec(text)?.[1]);
    expect(new Set(kinds)).toEqual(new Set(['{', 'mutation', 'subscription']));
  });

  it('runs every example as written, in order, without an error', async () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThan(10);
    for (const [index, text] of examples.entries()) {
      const document = parse(text);
      expect([index, validate(schema, document).map((e) => e.message)]).toEqual([index, []]);
      const operation = document.definitions[0];
      if ('operation' in operation && String(operation.operation) === 'subscription') {
        const subscription = await started.client.subscribe(text);
        await subscription.until(() => subscription.events.length > 0, 15_000);
        subscription.close();
        expect([index, subscription.errors]).toEqual([index, []]);
        continue;
      }
      const result = await started.client.request(text);
      expect([index, result.errors ?? []]).toEqual([index, []]);
      for (const [field, value] of Object.entries(result.data ?? {})) {
        expect([index, field, value === null]).toEqual([index, field, false]);
      }
      await idle();
    }
    // the jobs the examples queued all did their work
    const { jobs } = await started.client.data(
      '{ jobs(filter: { states: [FAILED, CANCELED, INTERRUPTED] }) { nodes { id operation error { message } } } }',
    );
    expect(jobs.nodes).toEqual([]);
  }, 180_000);
});
