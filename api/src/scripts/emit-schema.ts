import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchemaSdl } from '../print-schema';
import { buildApiSchema } from '../schema';

/** `npm run schema -w api`: regenerates the committed SDL (api/schema.graphql). */
const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema.graphql');
writeFileSync(target, printSchemaSdl(await buildApiSchema()));
console.log(`wrote ${target}`);
