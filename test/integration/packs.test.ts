import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsApi } from '../../functions/api/metrics-api.ts';
import { type Identity, NATIONAL_LOCAL_USER } from '../../functions/auth/scope.ts';
import { type PackReaders, packKey } from '../../functions/lib/keys.ts';
import { PublishedRows, packContent } from '../../functions/reports/pack-content.ts';
import { methodologyLink } from '../../functions/reports/pack-pdf.ts';
import { buildPack, PUTS_IN_FLIGHT, writePacks } from '../../functions/reports/packs.ts';
import { tempDir } from '../support/files.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { documents, meta } from '../support/pack-documents.ts';

/**
 * The monthly packs from a small set of published documents whose figures were chosen by hand: two PCNs in one ICB
 * and one in another, in one region. Each pack is read back by a second reader, Poppler (Debian's poppler-utils:
 * pdftotext for the text layer, pdftoppm to render a page), not by the library that wrote it.
 */
const dir = tempDir('packs');
const store = new MemoryObjectStore();
let written: Awaited<ReturnType<typeof writePacks>>;

/** The text layer of a pack, as pdftotext reads it (layout kept, so a table row stays on one line). */
function textOf(level: string, code: string, readers: PackReaders = 'inside'): string {
  const file = join(dir.path, `${code}.pdf`);
  writeFileSync(file, store.objects.get(packKey(level as 'pcn', code, readers)) as Uint8Array);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
const lineOf = (text: string, label: string) => text.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';
const cells = (line: string) => line.trim().split(/\s{2,}/);

beforeAll(async () => {
  written = await writePacks(store, documents(), meta);
});
afterAll(() => dir.remove());

describe('the monthly PDF packs', () => {
  it('writes one pack per area (England, each region, ICB and PCN), and one for readers outside each aggregate', async () => {
    expect(written.packs).toBe(11);
    expect(await store.list('metrics/packs/')).toEqual([
      'metrics/packs/icb/QKK.outside.pdf',
      'metrics/packs/icb/QKK.pdf',
      'metrics/packs/icb/QWE.outside.pdf',
      'metrics/packs/icb/QWE.pdf',
      'metrics/packs/national/ENG.outside.pdf',
      'metrics/packs/national/ENG.pdf',
      'metrics/packs/pcn/U11111.pdf',
      'metrics/packs/pcn/U22222.pdf',
      'metrics/packs/pcn/U33333.pdf',
      'metrics/packs/region/Y56.outside.pdf',
      'metrics/packs/region/Y56.pdf',
    ]);
    expect(written.bytes).toBe([...store.objects.values()].reduce((sum, b) => sum + b.length, 0));
  });

  it("a PCN's pack opens in Poppler, A4, and renders a page to an image", () => {
    const file = join(dir.path, 'riverside.pdf');
    writeFileSync(file, store.objects.get(packKey('pcn', 'U11111')) as Uint8Array);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/^Title:\s+Social prescribing monthly pack: RIVERSIDE PCN$/m);
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
    execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '2', '-l', '2', file, join(dir.path, 'page')]);
    const png = readFileSync(join(dir.path, 'page-2.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // 40 dpi of A4: 595.28 / 72 * 40 = 330.7 and 841.89 / 72 * 40 = 467.7 pixels, rounded up by Poppler.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([331, 468]);
  });

  it("links to the dashboard's Methodology page, as Poppler reads the link, from the dashboard address", async () => {
    const pdf = await buildPack('pcn', 'U11111', new PublishedRows(documents()), meta, {
      dashboardUrl: 'https://dashboard.example.nhs.uk/',
    });
    const file = join(dir.path, 'linked.pdf');
    writeFileSync(file, pdf);
    // pdfinfo -url lists the URI of every link annotation: one, on the last page, to the page the dashboard serves.
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    const urls = execFileSync('pdfinfo', ['-url', file], { encoding: 'utf8' }).trim().split('\n').slice(1);
    expect(urls.map((line) => line.trim().split(/\s+/))).toEqual([
      [String(pages), 'Annotation', 'https://dashboard.example.nhs.uk/methodology'],
    ]);
    // The address is printed too, for a reader of the paper copy.
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Methodology page: https://dashboard.example.nhs.uk/methodology');
    // Without a dashboard address (the packs above) there is no link, and the pack names the page.
    const unlinked = join(dir.path, 'unlinked.pdf');
    writeFileSync(unlinked, store.objects.get(packKey('pcn', 'U11111')) as Uint8Array);
    expect(execFileSync('pdfinfo', ['-url', unlinked], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    expect(textOf('pcn', 'U11111').replace(/\s+/g, ' ')).toContain("dashboard's Methodology page (/methodology).");
  });

  it('takes the Methodology page under the dashboard address, and gives no link for one that is not http(s)', () => {
    expect(methodologyLink('https://d1234.cloudfront.net').url).toBe('https://d1234.cloudfront.net/methodology');
    expect(methodologyLink('http://127.0.0.1:8080/').url).toBe('http://127.0.0.1:8080/methodology');
    expect(methodologyLink('https://nhs.example/sp//').url).toBe('https://nhs.example/sp/methodology');
    expect(methodologyLink(undefined).url).toBeUndefined();
    expect(methodologyLink('').url).toBeUndefined();
    // Not a full http(s) address: no link (the refresh warns, test/integration/dashboard-url.test.ts).
    expect(methodologyLink('javascript:alert(1)').url).toBeUndefined();
    expect(methodologyLink('dashboard.example').url).toBeUndefined();
    expect(methodologyLink('localhost:5173').url).toBeUndefined();
  });

  it("holds the PCN's headline figures beside its ICB, region and England, and the cover's period", () => {
    const text = textOf('pcn', 'U11111');
    expect(text).toContain('Data as of 30 September 2025');
    expect(text).toContain('Latest month: September 2025');
    expect(text).toContain('Integrated care board: NHS South West London Integrated Care Board (QWE)');
    // Financial year 2025/26 first, then 2024/25: PCN, ICB, region, England.
    const [current, previous] = text.split('Financial year 2024/25 (ended; months with data below)') as [
      string,
      string,
    ];
    // A year's rate annualised from its months (a reviewer found a PCN's 4 months set beside its ICB's 6 as they
    // were): 14.2 x 12 / 4 = 42.6 for Riverside; 12.9, 9.4 and 10.8 x 12 / 6 for its ICB, region and England.
    // (The label's "(annualised)" wraps to the next line of its cell.)
    expect(cells(lineOf(current, 'Referrals per 1,000 patients a year'))).toEqual([
      'Referrals per 1,000 patients a year',
      '42.6',
      '25.8',
      '18.8',
      '21.6',
    ]);
    expect(cells(lineOf(current, 'Months with data in the year')).slice(1)).toEqual([
      '4 of 12',
      '6 of 12',
      '6 of 12',
      '6 of 12',
    ]);
    expect(cells(lineOf(previous, 'Referrals per 1,000 patients a year')).slice(1)).toEqual([
      '12.8',
      '11.6',
      '8.5',
      '9.7',
    ]);
    expect(cells(lineOf(previous, 'Months with data in the year')).slice(1)).toEqual([
      '12 of 12',
      '12 of 12',
      '12 of 12',
      '12 of 12',
    ]);
    // The 6-month windows' change (review 26, R26-3): its label, "change over 6 months before and after referral",
    // wraps in its cell.
    expect(cells(lineOf(previous, 'GP appointments, change over')).slice(1)).toEqual([
      '-16.3%',
      '-16.3%',
      '-16.3%',
      '-16.3%',
      '-14%',
    ]);
    expect(cells(lineOf(current, 'Engaged with a link worker, %')).slice(1)).toEqual([
      '83.3%',
      '83.3%',
      '83.3%',
      '83.3%',
      '80% take-up',
    ]);
  });

  it('prints suppressed figures as suppressed (*), with the explanation, never as zero', () => {
    const text = textOf('pcn', 'U11111');
    expect(cells(lineOf(text, 'Offers declined, % of offers made')).slice(1)).toEqual(['*', '11.5%', '11.5%', '11.5%']);
    // The monthly table under the declines chart: September's suppressed figure.
    const declines = text.slice(
      text.indexOf('Offers declined, % of offers made', text.lastIndexOf('3. Monthly charts')),
    );
    expect(cells(lineOf(declines, 'Sep 2025'))).toEqual(['Sep 2025', '*', '15.0%', '15.0%', '15.0%']);
    expect(text).toContain('* suppressed: a count of 1 to 7 people');
  });

  it('gives the funnel position and the SPC reading in words', () => {
    const all = textOf('pcn', 'U11111');
    const text = all.slice(all.lastIndexOf('2. Position on the funnel plots'));
    expect(cells(lineOf(text, 'Referrals per 1,000 registered'))).toEqual([
      'Referrals per 1,000 registered',
      'above the 99.8% limit',
      'within the limits',
      'Special cause variation: concern (lower)',
    ]);
    // Take-up's funnel (engaged of the engagement cohort) beside "Engaged", not "Connected" (review).
    expect(cells(lineOf(text, 'Engaged with a link worker, %')).slice(1, 3)).toEqual([
      'within the limits',
      'below the 99.8% limit',
    ]);
    expect(text).not.toContain('Connected to a community activity, %');
    expect(cells(lineOf(text, 'Rows accepted'))).toEqual(['Rows accepted', '4,321']);
  });

  it("says when England's outcome year is held for a cohort gap: an earlier release's part year, and why (R32-2)", () => {
    const cut = (months: number, date: string) => ({ months, referred_on_or_before: date });
    const gapDocuments = documents().map((d) =>
      d.name !== 'cof_person'
        ? d
        : {
            ...d,
            summary: {
              ...d.summary,
              cohort_gaps_held: { periods: ['2025-08', '2025/26'] },
              cohorts: {
                engagement: cut(3, '2025-08-31'),
                outcomes: cut(6, '2025-05-31'),
                held: {
                  '2025/26': {
                    release: 'r0',
                    data_as_of: '2025-10-31',
                    engagement: cut(3, '2025-07-31'),
                    outcomes: cut(6, '2025-04-30'),
                  },
                },
              },
            },
          },
    );
    const notes = packContent('national', 'ENG', new PublishedRows(gapDocuments), meta).englandHeld;
    expect(notes[0]).toMatch(
      /^England's outcome figures for 2025\/26 are those of the release with data to 31 October 2025, a part year .* and stay so: a PCN's data ended/,
    );
    expect(packContent('national', 'ENG', new PublishedRows(documents()), meta).englandHeld).toEqual([]);
  });

  it("says when England's figures are held by the revisions policy, on the cover, by England's column and the funnel", async () => {
    // A release that holds England's 2025/26 at the one with data to 31 August 2025: September has no England figure
    // yet (meta), the year's projection is that release's (rollout), and take-up has no England comparator.
    const heldMeta = { ...meta, england_months_held: ['2025-09'], england_data_as_of: '2025-08-31' };
    const held = { release: '2025-09-05T06:00:00.000Z', data_as_of: '2025-08-31' };
    const heldDocuments = documents().map((d) => {
      if (d.name === 'rollout') return { ...d, summary: { ...d.summary, target_progress: [{ fy: '2025/26', held }] } };
      if (d.name !== 'pcn_comparison') return d;
      const national_held = { reason: "England's year held, revision pending", release: held.release };
      return { ...d, summary: { ...d.summary, funnel_rates: { '2025/26': { take_up_pct: { national_held } } } } };
    });
    const read = async (level: 'pcn' | 'national', code: string) => {
      const file = join(dir.path, `held-${code}.pdf`);
      writeFileSync(file, await buildPack(level, code, new PublishedRows(heldDocuments), heldMeta));
      return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    };
    const year =
      "England's figures for 2025/26 are those of the release with data to 31 August 2025 while a revision is checked.";
    const months =
      "England's figures are published to 31 August 2025: September 2025 has no England figure yet under the revisions policy, so England's monthly figures are blank there.";
    const funnel =
      "None: England held: England's figure for 2025/26 is held at an earlier release while a revision is checked, so there is no England comparator (it would compare this release's PCN with an earlier England): compare with the region instead.";
    const england = await read('national', 'ENG');
    const [cover, body] = england.split('1. Headline figures, financial year') as [string, string];
    // On the cover, under "Data as of", and again under the headline table with England's column.
    for (const part of [cover, body]) {
      expect(part.replace(/\s+/g, ' ')).toContain(year);
      expect(part.replace(/\s+/g, ' ')).toContain(months);
    }
    expect(england).not.toContain('None: England held');
    const pcn = await read('pcn', 'U11111');
    expect(pcn.replace(/\s+/g, ' ')).toContain(year);
    expect(pcn.replace(/\s+/g, ' ')).toContain(funnel);
    const positions = pcn.slice(pcn.lastIndexOf('2. Position on the funnel plots'));
    // Take-up's England cell says why it is empty (its position against England was never published); the referral
    // rate, not held in this case, keeps its position.
    expect(cells(lineOf(positions, 'Engaged with a link worker, %')).slice(1, 3)).toEqual([
      'None: England held',
      'below the 99.8% limit',
    ]);
    expect(cells(lineOf(positions, 'Referrals per 1,000 registered')).slice(1, 3)).toEqual([
      'above the 99.8% limit',
      'within the limits',
    ]);
    // A release that holds nothing says nothing of it.
    for (const [level, code] of [
      ['national', 'ENG'],
      ['pcn', 'U11111'],
    ] as const) {
      const text = textOf(level, code).replace(/\s+/g, ' ');
      expect(text).not.toMatch(/held|revision/i);
    }
  });

  it("a PCN's pack names no other PCN; an ICB's, region's and England's name none at all", () => {
    const others = { U11111: ['U22222', 'HILLTOP', 'U33333', 'VALLEYFIELD'], U22222: ['U11111', 'RIVERSIDE'] };
    for (const [code, names] of Object.entries(others)) {
      const text = textOf('pcn', code);
      for (const name of names) expect(text).not.toContain(name);
    }
    for (const [level, code] of [
      ['icb', 'QWE'],
      ['region', 'Y56'],
      ['national', 'ENG'],
    ] as const) {
      for (const readers of ['inside', 'outside'] as const) {
        const text = textOf(level, code, readers);
        expect(text).not.toMatch(/U\d{5}/);
        for (const name of ['RIVERSIDE', 'HILLTOP', 'VALLEYFIELD']) expect(text).not.toContain(name);
      }
    }
    // The ICB's pack counts its PCNs' alerts without naming them, and lists its own.
    const icb = textOf('icb', 'QWE');
    expect(icb).toContain('1 PCN alert for 1 PCN in this area');
    expect(icb).toContain('Referrals: special cause of concern (lower) in 2025-09');
    expect(textOf('icb', 'QKK')).toContain('No new alerts for this area.');
  });
});

describe('storing the packs', () => {
  /** A store whose puts wait until released, as S3 PUTs wait on the network; one key's put fails if asked. */
  class WaitingStore extends MemoryObjectStore {
    readonly waiting: { key: string; release: () => void }[] = [];
    mostInFlight = 0;
    private inFlight = 0;
    constructor(private readonly failing?: string) {
      super();
    }
    override async put(key: string, body: Uint8Array | string) {
      this.inFlight += 1;
      this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
      await new Promise<void>((release) => this.waiting.push({ key, release }));
      this.inFlight -= 1;
      if (key === this.failing) throw new Error(`could not store ${key}`);
      await super.put(key, body);
    }
  }
  const settled = async (promise: Promise<unknown>) => {
    let done = false;
    promise.then(
      () => (done = true),
      () => (done = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    return done;
  };
  const allWaiting = async (store: WaitingStore, count: number) => {
    while (store.waiting.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('stores each pack while the next are written, and returns only once every one is stored', async () => {
    expect(PUTS_IN_FLIGHT).toBeGreaterThanOrEqual(11);
    const waiting = new WaitingStore();
    const writing = writePacks(waiting, documents(), meta);
    // All 11 packs written and their 11 puts in flight at once, none stored yet: writePacks waits for them.
    await allWaiting(waiting, 11);
    expect(waiting.mostInFlight).toBe(11);
    expect(await settled(writing)).toBe(false);
    for (const put of waiting.waiting) put.release();
    expect((await writing).packs).toBe(11);
    // The same packs, byte for byte, as those stored one at a time above.
    expect([...waiting.objects.keys()].sort()).toEqual([...store.objects.keys()].sort());
    for (const [key, bytes] of waiting.objects)
      expect(Buffer.from(bytes).equals(store.objects.get(key) as Uint8Array)).toBe(true);
  });

  it('fails with the put that failed, once the puts in flight have finished', async () => {
    const failing = new WaitingStore('metrics/packs/icb/QWE.pdf');
    const writing = writePacks(failing, documents(), meta);
    const outcome = writing.then(
      () => 'stored',
      (error: Error) => error.message,
    );
    await allWaiting(failing, 11);
    for (const put of failing.waiting.filter((p) => p.key !== 'metrics/packs/pcn/U33333.pdf')) put.release();
    // One put is still in flight: writePacks has not given up on it.
    expect(await settled(writing)).toBe(false);
    failing.waiting.find((p) => p.key === 'metrics/packs/pcn/U33333.pdf')?.release();
    expect(await outcome).toBe('could not store metrics/packs/icb/QWE.pdf');
    expect(failing.objects.size).toBe(10);
  });
});

describe('the pack route of the metrics API', () => {
  const api = new MetricsApi(store);
  const get = (target: string, identity: Identity) => {
    const [path, query] = target.split('?') as [string, string | undefined];
    return api.handle({ method: 'GET', path, query: new URLSearchParams(query ?? ''), identity });
  };
  const pcnUser: Identity = { role: 'pcn', code: 'U11111', subject: 'test' };

  beforeAll(async () => {
    await store.put('metrics/meta.json', JSON.stringify(meta));
  });

  it("gives a PCN user its own PCN's, ICB's, region's and England's packs as PDF", async () => {
    for (const path of [
      '/api/packs/pcn/U11111.pdf',
      '/api/packs/icb/QWE.pdf',
      '/api/packs/region/Y56.pdf',
      '/api/packs/national/ENG.pdf',
    ]) {
      const response = await get(path, pcnUser);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.binary?.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
    const own = await get('/api/packs/pcn/U11111.pdf', pcnUser);
    expect(own.binary?.equals(Buffer.from(store.objects.get(packKey('pcn', 'U11111')) as Uint8Array))).toBe(true);
    expect(own.headers['content-disposition']).toBe(
      'attachment; filename="social-prescribing-pack-U11111-2025-09-30.pdf"',
    );
  });

  it("refuses a PCN user another PCN's pack and another ICB's (403), and bad paths (400, 404)", async () => {
    for (const path of ['/api/packs/pcn/U22222.pdf', '/api/packs/pcn/U33333.pdf', '/api/packs/icb/QKK.pdf']) {
      const response = await get(path, pcnUser);
      expect(response.status).toBe(403);
      expect(response.binary).toBeUndefined();
      expect(JSON.parse(response.body).error).toMatch(/^your role \(pcn U11111\) does not include /);
    }
    expect((await get('/api/packs/pcn/Q1234.pdf', NATIONAL_LOCAL_USER)).status).toBe(400);
    expect((await get('/api/packs/pcn/U11111.pdf?period=2025-09', pcnUser)).status).toBe(400);
    expect((await get('/api/packs/pcn/U99999.pdf', NATIONAL_LOCAL_USER)).status).toBe(404);
    expect((await get('/api/packs/pcn/U22222.pdf', NATIONAL_LOCAL_USER)).status).toBe(200);
  });
});
