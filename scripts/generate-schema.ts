import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchemaText } from '../src/api/schema-text';

/** Writes schema.gql, the API contract, from the code-first resolvers. */
buildSchemaText().then(
  (text) => {
    writeFileSync(join(__dirname, '..', 'schema.gql'), text);
    process.stdout.write('schema.gql written\n');
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
