import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { runWorkforceImport } from '../../cli/commands/workforce.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { importExtract } from '../../functions/reference/import.ts';
import { PublicationError, readExtract } from '../../functions/reference/publication.ts';
import { readWorkforcePublication } from '../../functions/reference/workforce-publication.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDirs } from '../support/files.ts';

const DIR = join(import.meta.dirname, '../../reference-data/nhs-digital');
const PUBLICATION = join(DIR, 'pcn-workforce-fte-by-role.csv');
const dirs = tempDirs();
const temp = dirs.make;
afterAll(dirs.removeAll);

describe('workforce import of the PCN workforce publication', () => {
  it('writes one contract file per PCN with FTE as published and headcount, training and vacancies empty', () => {
    const out = temp('workforce-files');
    const lines: string[] = [];
    const result = runWorkforceImport(PUBLICATION, '2025-09', out, (line) => lines.push(line));
    // README: 1,284 PCNs and 2,864.8 link worker FTE in England.
    expect(result.pcns).toBe(1_284);
    expect(result.files).toHaveLength(1_284);
    expect(Math.round(result.fte.splw * 10) / 10).toBe(2_864.8);
    expect(lines[0]).toMatch(/^1,284 PCNs: 1,284 workforce files for 2025-09 in .+ \(FTE: link workers 2,864\.8, /);
    // The publication's second row: U00070,WEST MERTON PCN,0.6667,0.0,0.0
    expect(readFileSync(join(out, 'U00070-workforce-2025-09.csv'), 'utf8')).toBe(
      'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte\n' +
        'U00070,2025-09,splw,,0.6667,,\n' +
        'U00070,2025-09,hwbc,,0,,\n' +
        'U00070,2025-09,cc,,0,,\n',
    );
  });

  it('names the line and column of a bad cell', () => {
    const text =
      'PCN_CODE,PCN_NAME,SOCIAL_PRESCRIBING_LINK_WORKER_FTE,HEALTH_AND_WELLBEING_COACH_FTE,CARE_COORDINATOR_FTE\n' +
      'U00000,A PCN,2.5,0.0,6.4667\nU0007,B PCN,1,0,0\nU00071,C PCN,1,-2,0\nU00000,A PCN,1,1,1\n';
    expect(() => readWorkforcePublication('wf.csv', text, '2025-09')).toThrow(PublicationError);
    expect(() => readWorkforcePublication('wf.csv', text, '2025-09')).toThrow(
      [
        'wf.csv, line 3, column PCN_CODE: must be U followed by 5 digits',
        'wf.csv, line 4, column HEALTH_AND_WELLBEING_COACH_FTE: must be a number from 0 to 100',
        'wf.csv, line 5, column PCN_CODE: PCN listed twice (first on line 2)',
      ].join('\n'),
    );
    expect(() => readWorkforcePublication('wf.csv', text.replace('CARE_COORDINATOR_FTE', 'CC'), '2025-09')).toThrow(
      'wf.csv, line 1, column CARE_COORDINATOR_FTE: missing from the header',
    );
  });

  it('goes through the normal ingest, and the workforce measures say how many PCNs each figure covers', async () => {
    const out = temp('workforce-ingest-files');
    const dataDir = temp('workforce-ingest-store');
    const { files } = runWorkforceImport(PUBLICATION, '2025-12', out, () => {});
    const { summary, exitCode } = await ingestFiles(files, { dataDir, out: () => {}, progress: false });
    expect(exitCode).toBe(0);
    expect(summary.rowsAccepted).toBe(1_284 * 3);
    expect(summary.rowsRejected).toBe(0);

    const store = new FsObjectStore(dataDir);
    const file = (name: string) => ({ name, text: readFileSync(join(DIR, name), 'utf8') });
    await importExtract(
      store,
      readExtract(file('gp-reg-pat-prac-map-2025-12.csv'), file('gp-reg-pat-prac-all-2025-12.csv')),
    );
    const engine = new DuckDbEngine(dataDir);
    await refreshMetrics({ store, engine });
    await engine.close();
    const doc = JSON.parse(new TextDecoder().decode(await store.get('metrics/workforce.json'))) as MetricDocument;
    const england = doc.rows.find((r) => r.level === 'national' && r.period_type === 'month' && r.period === '2025-12');
    expect(england).toMatchObject({
      pcns_reporting: 1_284,
      splw_fte: 2_864.81,
      pcns_with_headcount: 0,
      pcns_with_training: 0,
      pcns_with_vacancies: 0,
      splw_headcount: null,
      splw_accredited: null,
      splw_vacancies_fte: null,
    });
    // PCNs with some link worker FTE in the publication: 1,091 of the 1,284 (awk -F, 'NR>1 && $(NF-2)>0').
    expect(england?.pcns_with_link_worker).toBe(1_091);
  });
});
