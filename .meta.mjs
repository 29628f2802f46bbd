import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
const r = await c.runAndReadAll(`select path_in_schema, compression, sum(total_compressed_size) c, sum(total_uncompressed_size) u from parquet_metadata('${process.argv[2]}/**/*.parquet') group by all order by u desc`);
console.table(r.getRowObjects().map(o=>({...o, c:Number(o.c), u:Number(o.u)})));
