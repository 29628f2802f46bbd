import { mkdirSync, writeFileSync } from 'node:fs';
import { contractJsonSchemas, dataDictionary } from './publish.ts';

mkdirSync('docs/schema', { recursive: true });
for (const [file, schema] of Object.entries(contractJsonSchemas())) {
  writeFileSync(`docs/schema/${file}`, `${JSON.stringify(schema, null, 2)}\n`);
}
writeFileSync('docs/data-dictionary.md', dataDictionary());
console.log('wrote docs/schema/*.schema.json and docs/data-dictionary.md');
