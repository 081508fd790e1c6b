import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchemaText } from './schema-text';

describe('schema.gql', () => {
  it('is exactly what the resolvers generate (run `npm run schema` after a deliberate change)', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'schema.gql'), 'utf8');
    expect(await buildSchemaText()).toBe(committed);
  });
});
