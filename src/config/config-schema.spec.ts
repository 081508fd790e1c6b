import Ajv, { type ErrorObject } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from './config-error';
import { loadConfig, validateConfig } from './config-loader';
import { configJsonSchemaText } from './config-schema';
import { schemaIssues, uncoveredIssues } from './schema-issues';

const ROOT = resolve(__dirname, '../..');
const SCHEMA_FILE = join(ROOT, 'hen-backup.schema.json');
const EXAMPLE = join(ROOT, 'examples/hen-backup.example.yaml');
const PACKAGED_EXAMPLE = join(ROOT, 'packaging/config.example.yaml');
const FIXTURES = join(ROOT, 'test/fixtures/config');
const VALID = join(FIXTURES, 'valid');
const INVALID = join(FIXTURES, 'invalid');

/**
 * Invalid fixtures whose mistake a schema cannot see, and why. Every other invalid fixture has a
 * mistake of shape (a key, a kind of value, a word, a range, a form), which both the daemon and
 * the published schema must refuse.
 */
const NOT_SHAPE: Record<string, string> = {
  '03-bad-cron.yaml': 'the cron expression does not parse',
  '09-password-file-missing.yaml': 'a file is missing',
  '10-unset-env-var.yaml': 'an environment variable is missing',
  '11-unknown-repository.yaml': 'a name refers to nothing',
  '12-inline-repository-name-clash.yaml': 'two repositories share a name',
  '16-public-host-without-tokens.yaml': 'a public address needs tokens',
  '21-watch-min-over-max.yaml': 'two durations compared',
  '27-not-yaml-duplicate-key.yaml': 'not YAML',
  '30-password-file-empty.yaml': 'a file is empty',
  '38-ionice-level-on-idle.yaml': 'a level with a class that takes none',
  '41-bad-read-data-subset.yaml': 'a percentage above 100',
  '43-malformed-env-reference.yaml': 'a malformed ${...} reference',
  '45-repository-listed-twice.yaml': 'a repository listed twice',
  '47-env-file-missing.yaml': 'an environment variable names a missing file',
  '48-inline-generated-name-clash.yaml': 'two repositories share a name',
  '49-unresolved-alias.yaml': 'not YAML',
  '52-require-mount-remote.yaml': 'requireMount with a remote location',
  '53-retry-max-under-min.yaml': 'two durations compared',
  '61-notification-bad-template.yaml': 'the template does not compile',
  '63-notification-unknown-backup.yaml': 'a name refers to nothing',
  '65-notification-retry-max-below-initial.yaml': 'two durations compared',
  '66-notification-smtp-password-without-user.yaml': 'a password without a user name',
};

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

function yamlOf(file: string): unknown {
  return parse(readFileSync(file, 'utf8'), { merge: true, uniqueKeys: true }) as unknown;
}

function schemaErrors(tree: unknown): ErrorObject[] {
  return validate(tree) ? [] : (validate.errors ?? []);
}

function daemonError(file: string): ConfigError | undefined {
  try {
    loadConfig(file, {});
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

const yamlFiles = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.yaml'));

describe('hen-backup.schema.json', () => {
  it('is the one generated from the config schema (npm run config-schema writes it)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(configJsonSchemaText());
  });

  it('is a JSON Schema a validator compiles in strict mode', () => {
    expect(typeof validate).toBe('function');
  });

  it('describes every property, so editors show help', () => {
    const undescribed: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${path}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      const properties = record.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, value] of Object.entries(properties ?? {})) {
        if (typeof value.description !== 'string' && typeof value.$ref !== 'string') {
          undescribed.push(`${path}.${key}`);
        }
      }
      for (const [key, value] of Object.entries(record)) visit(value, `${path}/${key}`);
    };
    visit(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), '');
    expect(undescribed).toEqual([]);
  });

  it.each([EXAMPLE, PACKAGED_EXAMPLE, ...yamlFiles(VALID).map((f) => join(VALID, f))])(
    'accepts %s',
    (file) => {
      expect(schemaErrors(yamlOf(file))).toEqual([]);
    },
  );

  it('is pointed to by the bundled example, for the YAML language server', () => {
    expect(readFileSync(EXAMPLE, 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/hen-backup\.schema\.json$/m,
    );
  });

  const invalid = yamlFiles(INVALID);
  const shape = invalid.filter((file) => !(file in NOT_SHAPE));

  it('knows every invalid fixture it leaves out', () => {
    expect(Object.keys(NOT_SHAPE).filter((file) => !invalid.includes(file))).toEqual([]);
    expect(shape.length).toBeGreaterThan(35);
  });

  it.each(shape)('refuses %s, as the daemon does', (file) => {
    const path = join(INVALID, file);
    expect(schemaErrors(yamlOf(path))).not.toEqual([]);
    expect(daemonError(path)).toBeInstanceOf(ConfigError);
  });

  it.each(
    Object.keys(NOT_SHAPE).filter(
      (f) => !f.includes('not-yaml') && f !== '49-unresolved-alias.yaml',
    ),
  )('accepts the shape of %s, whose mistake only the daemon can see', (file) => {
    expect(schemaErrors(yamlOf(join(INVALID, file)))).toEqual([]);
  });
});

describe('the schema in the daemon', () => {
  it('words the common kinds of problem as the readers do', () => {
    expect(
      schemaIssues({
        hostnmae: 'laptop',
        jobs: { concurrency: [] },
        log: { level: 'verbose' },
        backups: { pictures: { paths: [], repositories: ['main'] } },
      }),
    ).toEqual(
      expect.arrayContaining([
        { path: ['hostnmae'], message: 'unknown key (did you mean "hostname"?)' },
        { path: ['backups', 'pictures', 'paths'], message: 'must not be empty' },
      ]),
    );
    expect(schemaIssues({ api: { tokens: [{ role: 'viewer', token: 'x'.repeat(20) }] } })).toEqual([
      { path: ['api', 'tokens', 0, 'name'], message: 'is required' },
    ]);
  });

  it('adds only what the readers did not report at, above or below the same path', () => {
    const reported = [{ path: ['backups', 'pictures'], message: 'expected a mapping, got a list' }];
    const fromSchema = [
      { path: ['backups', 'pictures', 'paths'], message: 'is required' },
      { path: ['backups'], message: 'expected a mapping, got a list' },
      { path: ['backups', 'documents'], message: 'expected a mapping, got a list' },
    ];
    expect(uncoveredIssues(fromSchema, reported)).toEqual([fromSchema[2]]);
  });

  it('validates a parsed object as it validates a file (validateConfig)', () => {
    const raw = {
      api: { port: '${PORT}' },
      repositories: { home: { location: './repo', password: 'home-repo-password' } },
      backups: { docs: { paths: ['./docs'], repositories: ['home'], priority: 'next' } },
    };
    const config = validateConfig(raw, '/etc/hen-backup/hen.yaml', { PORT: '4100' });
    expect(config.api.port).toBe(4100);
    expect(config.repositories.home.location).toBe('/etc/hen-backup/repo');
    expect(() => validateConfig({ ...raw, hostnmae: 'x' }, '/etc/hen.yaml', { PORT: '1' })).toThrow(
      'hostnmae: unknown key (did you mean "hostname"?)',
    );
  });
});
