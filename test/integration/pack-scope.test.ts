import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../cli/server.ts';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf, ROLES, type Role, Scope } from '../../functions/auth/scope.ts';
import type { MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { packAreas, packReadersOf, writePacks } from '../../functions/reports/packs.ts';
import { tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';
import { documents as packDocuments, meta as packMeta } from '../support/pack-documents.ts';

/**
 * What each role reads about alerts in the packs the API serves it (review: a PCN user read, in its ICB's and region's
 * packs, how many alerts other PCNs had, while /api/metrics/alerts showed it none). Alerts are about each area's own
 * business (visibility inside_area): the national team reads every one, a regional or ICB lead its own area's and its
 * PCNs', a PCN its own. A pack served to a role holds no more than the role may read through the API.
 * Through the local server, with the tokens it signs; each PDF read back by Poppler's pdftotext.
 */
const meta: MetaDocument = {
  ...packMeta,
  regions: [...packMeta.regions, { code: 'Y61', name: 'South East', parent: 'ENG' }],
  icbs: [...packMeta.icbs, { code: 'QJK', name: 'NHS Kent and Medway Integrated Care Board', parent: 'Y61' }],
  pcns: [...packMeta.pcns, { code: 'U44444', name: 'ORCHARD PCN', parent: 'QJK', list_size: 20000 }],
};

const alert = (level: string, code: string, message: string, place: Record<string, string>) =>
  ({ level, code, period_type: 'fy', period: '2025/26', kind: 'spc', message, ...place }) as unknown as MetricRow;
const MESSAGE = {
  U11111: 'Riverside PCN special cause A',
  U22222: 'Hilltop PCN special cause B',
  U44444: 'Orchard PCN special cause C',
  QWE: 'South West London ICB special cause D',
  Y56: 'London region special cause E',
  ENG: 'England special cause F',
};
const ALERTS = [
  alert('pcn', 'U11111', MESSAGE.U11111, { icb_code: 'QWE', region_code: 'Y56' }),
  alert('pcn', 'U22222', MESSAGE.U22222, { icb_code: 'QWE', region_code: 'Y56' }),
  alert('pcn', 'U44444', MESSAGE.U44444, { icb_code: 'QJK', region_code: 'Y61' }),
  alert('icb', 'QWE', MESSAGE.QWE, { region_code: 'Y56' }),
  alert('region', 'Y56', MESSAGE.Y56, {}),
  alert('national', 'ENG', MESSAGE.ENG, {}),
];

function documents(): MetricDocument[] {
  return packDocuments().map((d) => (d.name === 'alerts' ? { ...d, rows: ALERTS } : d));
}

const dir = tempDir('pack-scope');
const dataDir = join(dir.path, 'data');
let server: LocalStack;
let secret: Uint8Array;

beforeAll(async () => {
  const store = new FsObjectStore(dataDir);
  const published = documents();
  for (const document of published) await store.put(`metrics/${document.name}.json`, JSON.stringify(document));
  await store.put('metrics/meta.json', JSON.stringify(meta));
  await writePacks(store, published, meta);
  server = await startTestServer(dataDir, { requireToken: true });
  secret = await signingSecret(store);
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

const bearer = (role: Role, code: string) =>
  issueUserToken(secret, identityOf(role, code, 'tester'), { expiresInSeconds: 600 });
const get = (path: string, token: string) =>
  fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

let pdfs = 0;
/** Section 4 of the pack the API serves this token ("What changed"), its lines joined, as pdftotext reads it. */
async function alertsSection(level: string, code: string, token: string): Promise<string | number> {
  const response = await get(`/api/packs/${level}/${code}.pdf`, token);
  if (response.status !== 200) return response.status;
  const file = join(dir.path, `served-${++pdfs}.pdf`);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  // The last: the contents on the cover name the sections too.
  const start = text.lastIndexOf('4. What changed since the previous release');
  const end = text.lastIndexOf('5. Data completeness');
  expect([start > 0, end > start]).toEqual([true, true]);
  return text
    .slice(start + '4. What changed since the previous release'.length, end)
    .replace(/\s+/g, ' ')
    .trim();
}

const counted = (alerts: number, pcns: number) =>
  `- ${alerts} PCN alert${alerts === 1 ? '' : 's'} for ${pcns} PCN${pcns === 1 ? '' : 's'} in this area (each PCN's own pack and the dashboard's Trends page list them).`;
const NONE = 'No new alerts for this area.';
// The same words whether or not the area has alerts: a reader outside it learns nothing of them.
const WITHHELD =
  "Alerts are shown to the area's own leads only. Your own area's alerts are in its pack and on the dashboard's Trends page.";

/** Every pack each role is served, by area, as the role may read it: alerts as /api/metrics/alerts gives them. */
const EXPECTED: Record<string, [Role, string, Record<string, string | number>]> = {
  'NHS England programme team': [
    'national',
    'ENG',
    {
      'national/ENG': `- ${MESSAGE.ENG} ${counted(3, 3)}`,
      'region/Y56': `- ${MESSAGE.Y56} ${counted(2, 2)}`,
      'region/Y61': counted(1, 1),
      'icb/QWE': `- ${MESSAGE.QWE} ${counted(2, 2)}`,
      'icb/QKK': NONE,
      'icb/QJK': counted(1, 1),
      'pcn/U11111': `- ${MESSAGE.U11111}`,
      'pcn/U33333': NONE,
      'pcn/U44444': `- ${MESSAGE.U44444}`,
    },
  ],
  'London regional lead': [
    'region',
    'Y56',
    {
      'national/ENG': WITHHELD,
      'region/Y56': `- ${MESSAGE.Y56} ${counted(2, 2)}`,
      'region/Y61': WITHHELD,
      'icb/QWE': `- ${MESSAGE.QWE} ${counted(2, 2)}`,
      'icb/QKK': NONE,
      'icb/QJK': WITHHELD,
      'pcn/U11111': `- ${MESSAGE.U11111}`,
      'pcn/U33333': NONE,
      'pcn/U44444': 403,
    },
  ],
  'South West London ICB lead': [
    'icb',
    'QWE',
    {
      'national/ENG': WITHHELD,
      'region/Y56': WITHHELD,
      'region/Y61': WITHHELD,
      'icb/QWE': `- ${MESSAGE.QWE} ${counted(2, 2)}`,
      'icb/QKK': WITHHELD,
      'icb/QJK': WITHHELD,
      'pcn/U11111': `- ${MESSAGE.U11111}`,
      'pcn/U22222': `- ${MESSAGE.U22222}`,
      'pcn/U33333': 403,
    },
  ],
  'South East London ICB lead': [
    'icb',
    'QKK',
    { 'icb/QKK': NONE, 'icb/QWE': WITHHELD, 'region/Y56': WITHHELD, 'pcn/U33333': NONE, 'pcn/U11111': 403 },
  ],
  'Riverside PCN': [
    'pcn',
    'U11111',
    {
      'pcn/U11111': `- ${MESSAGE.U11111}`,
      'icb/QWE': WITHHELD,
      'region/Y56': WITHHELD,
      'national/ENG': WITHHELD,
      'pcn/U22222': 403,
      'icb/QKK': 403,
      'region/Y61': 403,
    },
  ],
  'Valleyfield PCN (no alerts of its own)': [
    'pcn',
    'U33333',
    { 'pcn/U33333': NONE, 'icb/QKK': WITHHELD, 'region/Y56': WITHHELD, 'national/ENG': WITHHELD },
  ],
};

describe("each role's packs say no more about alerts than the role reads through the API", () => {
  it.each(Object.entries(EXPECTED))('%s', async (_who, [role, code, packs]) => {
    const token = await bearer(role, code);
    const served: Record<string, string | number> = {};
    for (const area of Object.keys(packs)) {
      const [level, areaCode] = area.split('/') as [string, string];
      served[area] = await alertsSection(level, areaCode, token);
    }
    expect(served).toEqual(packs);
    // Every alert a served pack lists, the role reads at /api/metrics/alerts too.
    const readable = ((await (await get('/api/metrics/alerts', token)).json()) as { rows: MetricRow[] }).rows.map(
      (r) => r.message,
    );
    const listed = Object.values(MESSAGE).filter((m) => Object.values(served).some((s) => String(s).includes(m)));
    expect(listed.filter((m) => !readable.includes(m))).toEqual([]);
  });

  it('answers a PCN, as the review found it, no alerts of other PCNs in its ICB and region packs', async () => {
    const token = await bearer('pcn', 'U33333');
    const rows = ((await (await get('/api/metrics/alerts', token)).json()) as { rows: MetricRow[] }).rows;
    expect(rows).toEqual([]);
    for (const area of ['icb/QKK', 'region/Y56', 'national/ENG']) {
      const [level, areaCode] = area.split('/') as [string, string];
      const section = await alertsSection(level, areaCode, token);
      expect(section).toBe(WITHHELD);
      expect(String(section)).not.toMatch(/PCN alert/);
    }
  });
});

describe('the packs written for each area', () => {
  it('include one for every role that may read an area (allows) without being inside it: PCNs have none', () => {
    const identities = ROLES.flatMap((role) =>
      (role === 'national' ? ['ENG'] : role === 'region' ? meta.regions : role === 'icb' ? meta.icbs : meta.pcns).map(
        (area) => identityOf(role, typeof area === 'string' ? area : area.code, 'tester'),
      ),
    );
    const readers = identities.map((identity) => new Scope(identity, meta));
    const needed = packAreas(meta).flatMap(({ level, code }) => {
      const outside = readers.some((scope) => scope.allows(level, code) && !scope.inside(level, code));
      return outside ? [`${level}/${code}`] : [];
    });
    const written = packAreas(meta)
      .filter(({ level }) => packReadersOf(level).includes('outside'))
      .map(({ level, code }) => `${level}/${code}`);
    expect(written).toEqual(needed);
    expect(written).toEqual(['national/ENG', 'region/Y56', 'region/Y61', 'icb/QWE', 'icb/QKK', 'icb/QJK']);
  });
});

describe('a query parameter given more than once', () => {
  it('is refused with a 400 naming the parameter and never its values, and the server goes on', async () => {
    const token = await bearer('national', 'ENG');
    for (const [query, name] of [
      ['period=2025-09&period=2025/26', 'period'],
      ['level=pcn&code=U11111&code=U22222', 'code'],
      ['level=icb&level=pcn', 'level'],
      ['period_type=fy&period_type=month', 'period_type'],
    ] as const) {
      for (const path of ['/api/metrics/alerts', '/api/metrics/alerts.csv']) {
        const response = await get(`${path}?${query}`, token);
        const body = await response.text();
        expect([response.status, JSON.parse(body)]).toEqual([
          400,
          { error: `${name} is given more than once: give each once` },
        ]);
        for (const value of ['2025-09', '2025/26', 'U11111', 'U22222', 'icb', 'fy']) expect(body).not.toContain(value);
      }
    }
    const csv = await get('/api/metrics/alerts.csv?period=2025/26', token);
    expect(csv.status).toBe(200);
    expect((await csv.text()).split('\r\n').filter(Boolean)).toHaveLength(1 + ALERTS.length);
  });
});
