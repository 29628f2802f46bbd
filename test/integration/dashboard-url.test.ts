import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { packKey } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { methodologyLink } from '../../functions/reports/pack-pdf.ts';
import { tempDir } from '../support/files.ts';

/*
 * DASHBOARD_URL only adds a link to the PDF packs (and the regional alerts). A malformed one (no scheme, as a
 * developer might write localhost:5173) is a warning and packs without the link, as when it is unset; never a failed
 * refresh. One PCN, one workforce snapshot, through the whole local pipeline.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U30001,Delta PCN,QAA,NHS Alpha ICB,Y56,London,10000,2019-04-01,
`;
const dir = tempDir('dashboard-url');
afterAll(() => dir.remove());

describe('a malformed dashboard address (DASHBOARD_URL)', () => {
  it('says why it gives no link, for each way of being malformed, and links a full http(s) address', () => {
    const warning = (address: string) =>
      `DASHBOARD_URL ${JSON.stringify(address)} is not a full http(s) address (such as https://dashboard.example.nhs.uk): the PDF packs are written without a link to the Methodology page`;
    for (const address of ['localhost:5173', 'dashboard.example', 'javascript:alert(1)', 'ftp://d.example/'])
      expect(methodologyLink(address)).toEqual({ warning: warning(address) });
    expect(methodologyLink(' https://d.example/sp/ ')).toEqual({ url: 'https://d.example/sp/methodology' });
    expect(methodologyLink(undefined)).toEqual({});
    expect(methodologyLink('  ')).toEqual({});
  });

  it('warns and writes every document and pack, without the link, rather than failing the refresh', async () => {
    const dataDir = join(dir.path, 'data');
    const workforce = join(dir.path, 'U30001-workforce.csv');
    writeFileSync(
      workforce,
      'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte\nU30001,2025-09,splw,2,1.5,1,0\n',
    );
    const store = new FsObjectStore(dataDir);
    await stageReference(store, REFERENCE);
    const { exitCode } = await ingestFiles([workforce], { dataDir, out: () => {}, progress: false });
    expect(exitCode).toBe(0);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const engine = new DuckDbEngine(dataDir);
    try {
      const result = await refreshMetrics({
        store,
        engine,
        clock: () => new Date('2025-10-05T06:00:00Z'),
        dashboardUrl: 'localhost:5173',
      });
      expect(result.documents).toContain('workforce');
      expect(warn.mock.calls).toEqual([[methodologyLink('localhost:5173').warning]]);
    } finally {
      warn.mockRestore();
      await engine.close();
    }
    // The PCN's pack is there, and Poppler finds no link annotation in it (pdfinfo -url prints only its header).
    const file = join(dir.path, 'pack.pdf');
    writeFileSync(file, (await (await currentRelease(store)).get(packKey('pcn', 'U30001'))) as Uint8Array);
    expect(execFileSync('pdfinfo', ['-url', file], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain("dashboard's Methodology page (/methodology).");
  });
});
