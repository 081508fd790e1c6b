import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Triggers only emit events (src/common/events) that the services owning each kind of job turn
 * into queued jobs; they know nothing of the jobs layer. (Reading the backups' and repositories'
 * GraphQL models, to add their next run time, is allowed: those folders sit below triggers.)
 */
describe('src/triggers', () => {
  it('imports nothing from the jobs layer', () => {
    const offenders = readdirSync(__dirname)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
      .flatMap((name) =>
        [...readFileSync(join(__dirname, name), 'utf8').matchAll(/from '\.\.\/(\w+)\//g)]
          .map((m) => m[1])
          .filter((folder) => folder === 'jobs')
          .map((folder) => `${name} -> ${folder}`),
      );
    expect(offenders).toEqual([]);
  });
});
