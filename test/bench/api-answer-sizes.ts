/**
 * What the metrics API sends for each question the dashboard asks, against the most a Lambda response carries
 * (functions/api/compress.ts LAMBDA_BODY_LIMIT; review 24, R24-6), on a national release:
 *
 *   npx tsx test/bench/api-answer-sizes.ts <data folder> [whole]
 *     <data folder> holds metrics/ (meta.json and the documents it lists), e.g.
 *     /tmp/sp-outcomes-bench/refresh-layout-1-36/data; it is only read.
 *
 * The caller is the national team (England: every row of every document, so the largest answer of each question), and
 * the questions are the dashboard pages' (dashboard/src/pages: each asks for its area's rows, some for one period, the
 * board report for every document's area rows), with the latest financial year and month of meta.json. `whole` also
 * asks for every document unfiltered (minutes: the whole national documents). Each line: the JSON's bytes, what the
 * Lambda would send (gzip as base64, as a browser is answered), its share of the limit, the status sent. Printed,
 * never asserted.
 */
import os from 'node:os';
import { join } from 'node:path';
import { answerAbout, LAMBDA_BODY_LIMIT, lambdaResponse } from '../../functions/api/compress.ts';
import { MetricsApi } from '../../functions/api/metrics-api.ts';
import type { Identity } from '../../functions/auth/scope.ts';
import type { MetaDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';

const [folder, whole] = process.argv.slice(2);
if (!folder) throw new Error('usage: api-answer-sizes.ts <data folder> [whole]');
const store = new FsObjectStore(folder);
const meta = JSON.parse(new TextDecoder().decode(await store.get('metrics/meta.json'))) as MetaDocument;
const fy = meta.financial_years.at(-1) as string;
const month = meta.months.at(-1) as string;
const area = 'level=national&code=ENG';
const dashboard: [string, string][] = [
  ['equity', `${area}&period=${fy}`],
  ['workforce', area],
  ['workforce', `level=pcn&period=${month}`],
  ['rollout', area],
  ['workforce', `${area}&period_type=month`],
  ['alerts', ''],
  ['spc', area],
  ['cof_person', `${area}&period=${fy}`],
  ['wellbeing', `${area}&period=${fy}`],
  ['cof_system', `${area}&period=${fy}`],
  ['cof_community', `${area}&period=${fy}`],
  ['pcn_comparison', `level=pcn&period=${fy}`],
  ['data_quality', 'level=pcn'],
  // The board report: every document it shows, the area's rows of every period.
  ...['rollout', 'referral_sources', 'cof_person', 'wellbeing', 'cof_system', 'cof_community', 'equity', 'spc'].map(
    (name): [string, string] => [name, area],
  ),
];
const questions = [
  ...dashboard,
  ...(whole === 'whole' ? meta.metrics.map(({ name }): [string, string] => [name, '']) : []),
];
const api = new MetricsApi(store);
const identity: Identity = { role: 'national', code: 'ENG', subject: 'bench' };
console.log(`limit ${LAMBDA_BODY_LIMIT.toLocaleString('en-GB')} bytes; release of data to ${meta.data_as_of}`);
let largest = 0;
for (const [i, [name, query]] of questions.entries()) {
  const path = `/api/metrics/${name}`;
  const params = new URLSearchParams(query);
  const cpu = process.cpuUsage();
  const response = await api.handle({ method: 'GET', path, query: params, identity });
  const sent = lambdaResponse(response, response.encoded, 'gzip, deflate', answerAbout(path, params));
  const used = process.cpuUsage(cpu);
  if (i < dashboard.length) largest = Math.max(largest, sent.body.length);
  console.log(
    `${`${name}?${query}`.padEnd(58)} ${(Buffer.byteLength(response.body) / 1e6).toFixed(2).padStart(7)} MB json ${(sent.body.length / 1e6).toFixed(3).padStart(7)} MB sent ${((100 * sent.body.length) / LAMBDA_BODY_LIMIT).toFixed(1).padStart(5)}% ${sent.statusCode} ${((used.user + used.system) / 1e6).toFixed(2)} CPU s`,
  );
}
console.log(
  `largest answer to the dashboard's questions: ${(largest / 1e6).toFixed(3)} MB (${((100 * largest) / LAMBDA_BODY_LIMIT).toFixed(1)}% of the limit); load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${join(folder)}`,
);
