import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { runWorkforceImport } from '../../cli/commands/workforce.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { importExtract } from '../../functions/reference/import.ts';
import { PublicationError, readExtract } from '../../functions/reference/publication.ts';
import { readWorkforcePublication } from '../../functions/reference/workforce-publication.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDirs } from '../support/files.ts';
import { cutLines, extractOfIcb } from '../support/publications.ts';

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
    // The whole publication is read in the first test; the ingest and refresh run on one ICB's part of it, cut here
    // from the repo's copies: South West London (QWE), its 40 PCNs in the December extract and their 40 rows of the
    // workforce publication (the refresh writes a pack per area, so all of England took minutes on a loaded machine).
    const extract = extractOfIcb('2025-12', 'QWE');
    const workforce = join(temp('workforce-ingest-publication'), 'pcn-workforce-fte-by-role.csv');
    writeFileSync(
      workforce,
      cutLines(readFileSync(PUBLICATION, 'utf8'), (row) => extract.pcns.has(row.PCN_CODE as string)),
    );
    const out = temp('workforce-ingest-files');
    const dataDir = temp('workforce-ingest-store');
    const { files } = runWorkforceImport(workforce, '2025-12', out, () => {});
    const { summary, exitCode } = await ingestFiles(files, { dataDir, out: () => {}, progress: false });
    expect(exitCode).toBe(0);
    expect(summary.rowsAccepted).toBe(40 * 3);
    expect(summary.rowsRejected).toBe(0);

    const store = new FsObjectStore(dataDir);
    await importExtract(store, readExtract(extract.map, extract.list));
    const engine = new DuckDbEngine(dataDir);
    await refreshMetrics({ store, engine });
    await engine.close();
    const doc = JSON.parse(
      new TextDecoder().decode(await (await currentRelease(store)).get('metrics/workforce.json')),
    ) as MetricDocument;
    const england = doc.rows.find((r) => r.level === 'national' && r.period_type === 'month' && r.period === '2025-12');
    // Summed by hand over the publication's rows of the 40 PCNs with ICB_CODE QWE in the December mapping file:
    // 59.7134 link worker FTE, 35 of the 40 PCNs with some.
    expect(england).toMatchObject({
      pcns_reporting: 40,
      splw_fte: 59.71,
      pcns_with_headcount: 0,
      pcns_with_training: 0,
      pcns_with_vacancies: 0,
      splw_headcount: null,
      splw_accredited: null,
      splw_vacancies_fte: null,
    });
    expect(england?.pcns_with_link_worker).toBe(35);
  });
});
