import { writeFileSync } from 'node:fs';
import { configJsonSchemaFile, renderConfigJsonSchema } from './json-schema.ts';

writeFileSync(configJsonSchemaFile, renderConfigJsonSchema());
console.log(`Wrote ${configJsonSchemaFile}`);
