import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsApi } from '../../functions/api/metrics-api.ts';
import { type Identity, identityOf } from '../../functions/auth/scope.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tempDir } from '../support/files.ts';

/**
 * Scope rules (README, "Roles"), on a hand-made geography:
 *   region Y01: ICBs QAA (PCNs U00001, U00002) and QBB (PCN U00003); region Y02: ICB QCC (PCN U00004).
 */
const geography = {
  regions: [
    { code: 'Y01', name: 'North', parent: 'ENG' },
    { code: 'Y02', name: 'South', parent: 'ENG' },
  ],
  icbs: [
    { code: 'QAA', name: 'A', parent: 'Y01' },
    { code: 'QBB', name: 'B', parent: 'Y01' },
    { code: 'QCC', name: 'C', parent: 'Y02' },
  ],
  pcns: [
    { code: 'U00001', name: 'One', parent: 'QAA', list_size: 10_000 },
    { code: 'U00002', name: 'Two', parent: 'QAA', list_size: 10_000 },
    { code: 'U00003', name: 'Three', parent: 'QBB', list_size: 10_000 },
    { code: 'U00004', name: 'Four', parent: 'QCC', list_size: 10_000 },
  ],
};
const AREAS = [
  ['national', 'ENG'],
  ['region', 'Y01'],
  ['region', 'Y02'],
  ['icb', 'QAA'],
  ['icb', 'QBB'],
  ['icb', 'QCC'],
  ['pcn', 'U00001'],
  ['pcn', 'U00002'],
  ['pcn', 'U00003'],
  ['pcn', 'U00004'],
] as const;
const rows = AREAS.map(([level, code], i) => ({
  level,
  code,
  period_type: 'fy',
  period: '2025/26',
  referrals: 10 + i,
}));

const dir = tempDir('scope');
const api = new MetricsApi(new FsObjectStore(dir.path));
beforeAll(async () => {
  const store = new FsObjectStore(dir.path);
  await store.put('metrics/meta.json', JSON.stringify({ months: [], ...geography }));
  await store.put('metrics/rollout.json', JSON.stringify({ name: 'rollout', rows }));
  // What changed (issue 15): each lead sees alerts about their own area and the areas inside it, nothing else.
  await store.put('metrics/alerts.json', JSON.stringify({ name: 'alerts', visibility: 'inside_area', rows }));
});
afterAll(() => dir.remove());

async function codesSeen(identity: Identity, path: string): Promise<number | string[]> {
  const url = new URL(path, 'http://localhost');
  const response = await api.handle({ method: 'GET', path: url.pathname, query: url.searchParams, identity });
  if (response.status !== 200) return response.status;
  if (url.pathname.endsWith('.csv'))
    return response.body
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[1] as string);
  return (JSON.parse(response.body) as { rows: { code: string }[] }).rows.map((r) => r.code);
}

const ALL = AREAS.map(([, code]) => code);
const AGGREGATES = ['ENG', 'Y01', 'Y02', 'QAA', 'QBB', 'QCC'];
const ROLES: Record<string, Identity> = {
  national: identityOf('national', 'ENG', 'n'),
  'region Y01': identityOf('region', 'Y01', 'r'),
  'icb QAA': identityOf('icb', 'QAA', 'i'),
  'pcn U00003': identityOf('pcn', 'U00003', 'p'),
};

// Expected rows worked out from the rules: national all; a region or an ICB every aggregate and its own PCNs; a
// PCN its own row and the aggregates of its ICB (QBB), region (Y01) and England.
const TABLE: Record<string, Record<string, number | string[]>> = {
  '/api/metrics/rollout': {
    national: ALL,
    'region Y01': [...AGGREGATES, 'U00001', 'U00002', 'U00003'],
    'icb QAA': [...AGGREGATES, 'U00001', 'U00002'],
    'pcn U00003': ['ENG', 'Y01', 'QBB', 'U00003'],
  },
  '/api/metrics/rollout.csv': {
    national: ALL,
    'region Y01': [...AGGREGATES, 'U00001', 'U00002', 'U00003'],
    'icb QAA': [...AGGREGATES, 'U00001', 'U00002'],
    'pcn U00003': ['ENG', 'Y01', 'QBB', 'U00003'],
  },
  '/api/metrics/rollout?level=pcn': {
    national: ['U00001', 'U00002', 'U00003', 'U00004'],
    'region Y01': ['U00001', 'U00002', 'U00003'],
    'icb QAA': ['U00001', 'U00002'],
    'pcn U00003': ['U00003'],
  },
  '/api/metrics/rollout?level=pcn&code=U00004': {
    national: ['U00004'],
    'region Y01': 403,
    'icb QAA': 403,
    'pcn U00003': 403,
  },
  '/api/metrics/rollout.csv?level=pcn&code=U00004': {
    national: ['U00004'],
    'region Y01': 403,
    'icb QAA': 403,
    'pcn U00003': 403,
  },
  '/api/metrics/rollout?level=pcn&code=U00003': {
    national: ['U00003'],
    'region Y01': ['U00003'],
    'icb QAA': 403,
    'pcn U00003': ['U00003'],
  },
  '/api/metrics/rollout?level=icb&code=QCC': {
    national: ['QCC'],
    'region Y01': ['QCC'],
    'icb QAA': ['QCC'],
    'pcn U00003': 403,
  },
  '/api/metrics/rollout?level=icb': {
    national: ['QAA', 'QBB', 'QCC'],
    'region Y01': ['QAA', 'QBB', 'QCC'],
    'icb QAA': ['QAA', 'QBB', 'QCC'],
    'pcn U00003': ['QBB'],
  },
  '/api/metrics/rollout?level=region&code=Y02': {
    national: ['Y02'],
    'region Y01': ['Y02'],
    'icb QAA': ['Y02'],
    'pcn U00003': 403,
  },
  // Tricks: a second code or level after an allowed one, a code without a level, other spellings, other parameters.
  // A parameter given twice is refused, for every role, before any area is looked at (it was read as its first).
  '/api/metrics/rollout?level=pcn&code=U00003&code=U00004': {
    national: 400,
    'region Y01': 400,
    'icb QAA': 400,
    'pcn U00003': 400,
  },
  '/api/metrics/rollout?level=national&level=pcn': {
    national: 400,
    'region Y01': 400,
    'icb QAA': 400,
    'pcn U00003': 400,
  },
  '/api/metrics/rollout?code=U00004': { national: 400, 'region Y01': 400, 'icb QAA': 400, 'pcn U00003': 400 },
  '/api/metrics/rollout?level=pcn&code=u00004': { national: 400, 'region Y01': 400, 'icb QAA': 400, 'pcn U00003': 400 },
  '/api/metrics/rollout?level=pcn&code=U00004%00': {
    national: 400,
    'region Y01': 400,
    'icb QAA': 400,
    'pcn U00003': 400,
  },
  '/api/metrics/rollout?level=pcn&pcn_code=U00004': {
    national: 400,
    'region Y01': 400,
    'icb QAA': 400,
    'pcn U00003': 400,
  },
  '/api/metrics/rollout?level=pcn&period=2025/26&period_type=fy': {
    national: ['U00001', 'U00002', 'U00003', 'U00004'],
    'region Y01': ['U00001', 'U00002', 'U00003'],
    'icb QAA': ['U00001', 'U00002'],
    'pcn U00003': ['U00003'],
  },
  // Alerts: a regional lead their region's (the region, its ICBs and PCNs), an ICB lead their ICB's, a PCN its own;
  // England's own alerts the national team only.
  '/api/metrics/alerts': {
    national: ALL,
    'region Y01': ['Y01', 'QAA', 'QBB', 'U00001', 'U00002', 'U00003'],
    'icb QAA': ['QAA', 'U00001', 'U00002'],
    'pcn U00003': ['U00003'],
  },
  '/api/metrics/alerts.csv': {
    national: ALL,
    'region Y01': ['Y01', 'QAA', 'QBB', 'U00001', 'U00002', 'U00003'],
    'icb QAA': ['QAA', 'U00001', 'U00002'],
    'pcn U00003': ['U00003'],
  },
  '/api/metrics/alerts?level=icb': {
    national: ['QAA', 'QBB', 'QCC'],
    'region Y01': ['QAA', 'QBB'],
    'icb QAA': ['QAA'],
    'pcn U00003': [],
  },
  '/api/metrics/alerts?level=region&code=Y02': {
    national: ['Y02'],
    'region Y01': [],
    'icb QAA': [],
    'pcn U00003': 403,
  },
  '/api/metrics/..%2Fmetrics%2Frollout': { national: 404, 'region Y01': 404, 'icb QAA': 404, 'pcn U00003': 404 },
};

describe('scope: routes × roles → exactly the rows each role may see', () => {
  for (const [path, byRole] of Object.entries(TABLE)) {
    for (const [role, expected] of Object.entries(byRole)) {
      it(`${role} GET ${path} → ${Array.isArray(expected) ? expected.join(' ') : expected}`, async () => {
        expect(await codesSeen(ROLES[role] as Identity, path)).toEqual(expected);
      });
    }
  }

  it('says who is signed in, for the dashboard', async () => {
    const response = await api.handle({
      method: 'GET',
      path: '/api/me',
      query: new URLSearchParams(),
      identity: ROLES['icb QAA'] as Identity,
    });
    expect(JSON.parse(response.body)).toEqual({ role: 'icb', code: 'QAA', subject: 'i' });
  });

  it('refuses identities whose role or code is not well formed', () => {
    expect(() => identityOf('admin', 'ENG', 'x')).toThrow('the role must be national, region, icb or pcn');
    expect(() => identityOf('icb', 'Y01', 'x')).toThrow('the icb role needs a valid icb code');
    expect(() => identityOf('pcn', undefined, 'x')).toThrow('the pcn role needs a valid pcn code');
  });
});

describe('a document’s summary, by scope (review: a PCN saw every region’s funnel rates and alert counts)', () => {
  const funnelSummary = {
    '2025/26': {
      take_up_pct: {
        national: 80,
        regions: { Y01: 81, Y02: 79 },
        overdispersion: { national: { rate: 80 }, regions: { Y01: { rate: 81 }, Y02: { rate: 79 } } },
      },
    },
  };
  beforeAll(async () => {
    const store = new FsObjectStore(dir.path);
    await store.put(
      'metrics/pcn_comparison.json',
      JSON.stringify({ name: 'pcn_comparison', rows, summary: { funnel_rates: funnelSummary } }),
    );
    await store.put(
      'metrics/alerts_summary.json',
      JSON.stringify({
        name: 'alerts',
        visibility: 'inside_area',
        rows,
        summary: {
          by_region: { Y01: 3, Y02: 5 },
          // Review 5 G5: PCNs' last published positions against England, kept through a held release, by region.
          national_last_published: {
            fy: '2025/26',
            release: null,
            by_region: { Y01: { U00003: { take_up_pct: 'low' } }, Y02: { U00009: { take_up_pct: 'high' } } },
          },
        },
      }),
    );
  });
  const summaryOf = async (identity: Identity, path: string) =>
    JSON.parse((await api.handle({ method: 'GET', path, query: new URLSearchParams(), identity })).body).summary;
  // Rows' rules applied to regions: a PCN sees its own region (U00003 is in Y01); a region or ICB lead every region's
  // aggregate; inside_area (alerts): a region lead its own region, an ICB lead or a PCN none.
  const regionsSeen: Record<string, [string[], string[]]> = {
    national: [
      ['Y01', 'Y02'],
      ['Y01', 'Y02'],
    ],
    'region Y01': [['Y01', 'Y02'], ['Y01']],
    'icb QAA': [['Y01', 'Y02'], []],
    'pcn U00003': [['Y01'], []],
  };
  it.each(Object.entries(regionsSeen))('%s', async (role, [funnel, alerts]) => {
    const identity = ROLES[role] as Identity;
    const comparison = (await summaryOf(identity, '/api/metrics/pcn_comparison')).funnel_rates['2025/26'].take_up_pct;
    expect(comparison.national).toBe(80);
    expect(Object.keys(comparison.regions)).toEqual(funnel);
    expect(Object.keys(comparison.overdispersion.regions)).toEqual(funnel);
    expect(comparison.overdispersion.national).toEqual({ rate: 80 });
    const alertsSummary = await summaryOf(identity, '/api/metrics/alerts_summary');
    expect(Object.keys(alertsSummary.by_region)).toEqual(alerts);
    expect(Object.keys(alertsSummary.national_last_published.by_region)).toEqual(alerts);
  });
});
