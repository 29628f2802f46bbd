import { mkdirSync, writeFileSync } from 'node:fs';
import { QUERY_TABLES } from '../functions/contract/index.ts';
import { contractJsonSchemas, dataDictionary } from '../functions/contract/publish.ts';
import { athenaDdl } from '../functions/lib/table-ddl.ts';

/** Writes the contract's published forms and the Athena DDL; a test fails while they are out of date. */
mkdirSync('docs/schema', { recursive: true });
for (const [file, schema] of Object.entries(contractJsonSchemas())) {
  writeFileSync(`docs/schema/${file}`, `${JSON.stringify(schema, null, 2)}\n`);
}
writeFileSync('docs/data-dictionary.md', dataDictionary());
mkdirSync('sql/schema', { recursive: true });
for (const table of QUERY_TABLES) writeFileSync(`sql/schema/${table.name}.sql`, athenaDdl(table));
console.log('wrote docs/schema/*.schema.json, docs/data-dictionary.md and sql/schema/*.sql');
