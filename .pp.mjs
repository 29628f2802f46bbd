import Papa from 'papaparse';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
const file = '/tmp/sp-outcomes-bench/events-300000.csv';
async function* text() { const d = new TextDecoder(); for await (const c of createReadStream(file)) yield d.decode(c, {stream:true}); }
async function run(mode) {
  const cpu = process.cpuUsage(); let rows = 0, cells = 0;
  await new Promise((resolve) => {
    const opts = { delimiter: ',', quoteChar: '"', skipEmptyLines: true, complete: resolve };
    if (mode === 'step') opts.step = (r) => { rows++; cells += r.data.length; };
    else if (mode === 'chunk') opts.chunk = (r) => { for (const row of r.data) { rows++; cells += row.length; } };
    Papa.parse(Readable.from(text()), opts);
  });
  const u = process.cpuUsage(cpu); console.log(mode, rows, cells, ((u.user + u.system) / 1e6).toFixed(2));
}
async function readOnly() { const cpu = process.cpuUsage(); let n=0; for await (const t of text()) n += t.length; const u = process.cpuUsage(cpu); console.log('read+decode', n, ((u.user+u.system)/1e6).toFixed(2)); }
for (const m of ['read', 'step', 'chunk', 'step', 'chunk']) m === 'read' ? await readOnly() : await run(m);
