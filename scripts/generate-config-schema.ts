import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText } from '../src/config/config-schema';

/** Writes hen-backup.schema.json, the JSON Schema editors use to complete and check the config. */
writeFileSync(join(__dirname, '..', 'hen-backup.schema.json'), configJsonSchemaText());
process.stdout.write('hen-backup.schema.json written\n');
