import { FUNNEL_MEASURES, type MetricDocument, type MetricRow, summaryOf } from '../contract/index.ts';
import { SPC_MEASURES } from './spc-documents.ts';

/**
 * "What changed" since the previous release (alerts-base.ts), for regional leads (issue 15): PCNs newly outside the adjusted 99.8%
 * funnel limits in the latest financial year, and series whose latest point is newly a special cause of concern.
 * Each alert gives the figure, the limit it crossed and a link to the view. Rows carry the area they are about
 * (level and code) and its region and ICB, so the API's role scope (functions/auth/scope.ts) applies to them as to
 * every document, and a region's list can be sent to that region's leads. On the first refresh there is nothing
 * to compare with, so every current signal is listed.
 */
export type AlertRow = MetricRow & {
  readonly kind: 'funnel' | 'spc';
  readonly measure: string;
  readonly message: string;
  readonly link: string;
};

const COMPARATORS = [
  { column: 'vs_national', label: 'England' },
  { column: 'vs_region', label: 'its region' },
] as const;

/** The financial year the alerts are about: the latest with PCN rows. */
const latestYear = (document: MetricDocument | undefined) =>
  document?.rows
    .map((r) => String(r.period))
    .sort()
    .at(-1);

/** A PCN's position outside England's limits, by code and measure ('high' or 'low'; within or unknown: absent). */
type NationalPositions = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * What the alerts summary says while England's comparator of the latest year is held (funnel_rates[fy][measure].
 * national_held in pcn_comparison: no `_vs_national` position is published). `national_held` says that no PCN was
 * compared with England this refresh; `national_last_published` keeps each PCN's last published position outside
 * England's limits (by region, so a lead sees only their own region's through the API's scope), for the next refresh
 * to compare with in place of the held release's nulls.
 */
export interface AlertsHeldSummary {
  readonly national_held?: {
    readonly fy: string;
    readonly measures: readonly string[];
    readonly reason: string;
    readonly release: string | null;
  };
  readonly national_last_published?: {
    readonly fy: string;
    /** The refresh whose published positions these are (the last before the hold). */
    readonly release: string | null;
    readonly by_region: Readonly<Record<string, NationalPositions>>;
  };
}

const heldMeasures = (document: MetricDocument | undefined, fy: string) =>
  FUNNEL_MEASURES.filter((m) => summaryOf(document, 'funnel_rates')?.[fy]?.[m.name]?.national_held !== undefined).map(
    (m) => m.name,
  );

/**
 * Review 5 G5: the previous refresh's position of each PCN against England, as last published. A held release
 * publishes no position (null), which is not "within": compared with it, every PCN outside England's limits before
 * the hold would be alerted again as newly outside when the hold ends. So a held measure's positions are carried
 * through the held release (in its alerts summary) from the last release that published them: a PCN outside then
 * and outside now is not new, a PCN within then and outside now is still alerted. When the held release left no
 * record (a refresh before this rule, or its alerts document lost), the position is unknown and the PCN is listed,
 * as on a first refresh: better a repeated alert than a lost one.
 */
function lastNationalPositions(
  fy: string,
  previous: { funnels?: MetricDocument; alerts?: MetricDocument },
): {
  positions: Map<string, { region: string; sides: Record<string, string> }>;
  release: string | null;
  unknown: Set<string>;
} {
  const held = new Set(heldMeasures(previous.funnels, fy));
  const record = (previous.alerts?.summary as AlertsHeldSummary | undefined)?.national_last_published;
  const carried = record?.fy === fy ? record : undefined;
  const positions = new Map<string, { region: string; sides: Record<string, string> }>();
  // The held measures' positions from the held release's record (whatever region the PCN was in then)...
  for (const [region, pcns] of Object.entries(carried?.by_region ?? {}))
    for (const [code, sides] of Object.entries(pcns))
      positions.set(code, { region, sides: Object.fromEntries(Object.entries(sides).filter(([m]) => held.has(m))) });
  // ...and the others as the previous release published them.
  for (const row of previous.funnels?.rows ?? []) {
    if (String(row.period) !== fy) continue;
    const code = String(row.code);
    const sides = { ...positions.get(code)?.sides };
    for (const m of FUNNEL_MEASURES) {
      const side = row[`${m.name}_vs_national`];
      if (!held.has(m.name) && (side === 'high' || side === 'low')) sides[m.name] = side;
    }
    positions.set(code, { region: String(row.region_code), sides });
  }
  return {
    positions,
    release: held.size > 0 ? (carried?.release ?? null) : (previous.funnels?.generated_at ?? null),
    unknown: new Set(carried ? [] : held),
  };
}

function funnelAlerts(
  current: MetricDocument,
  previous: { funnels?: MetricDocument; alerts?: MetricDocument },
): { alerts: AlertRow[]; summary: AlertsHeldSummary } {
  const fy = latestYear(current);
  if (fy === undefined) return { alerts: [], summary: {} };
  const before = new Map(
    (previous.funnels?.rows ?? []).filter((r) => String(r.period) === fy).map((r) => [String(r.code), r] as const),
  );
  const national = lastNationalPositions(fy, previous);
  // The previous position of a PCN against a comparator: England's as last published (carried through a hold).
  const previousSide = (code: string, measure: string, comparator: string): unknown =>
    comparator === 'vs_national'
      ? national.unknown.has(measure)
        ? undefined
        : national.positions.get(code)?.sides[measure]
      : before.get(code)?.[`${measure}_${comparator}`];
  const limitsOf = (row: MetricRow, measure: string, comparator: string, side: string): number | null => {
    const rates = summaryOf(current, 'funnel_rates')?.[fy]?.[measure];
    const curve =
      comparator === 'vs_national' ? rates?.curves?.national : rates?.curves?.regions?.[String(row.region_code)];
    const n = Number(row[FUNNEL_MEASURES.find((m) => m.name === measure)?.denominator ?? '']);
    // The limit at the PCN's size, from the nearest point of the published curve (a drawing aid, to 6 digits).
    const nearest = curve?.reduce((best, p) => (Math.abs(p.n - n) < Math.abs(best.n - n) ? p : best));
    return nearest ? nearest[side === 'high' ? 'upper998' : 'lower998'] : null;
  };
  const alerts: AlertRow[] = [];
  for (const row of current.rows.filter((r) => String(r.period) === fy)) {
    for (const m of FUNNEL_MEASURES) {
      for (const comparator of COMPARATORS) {
        const column = `${m.name}_${comparator.column}`;
        const side = row[column];
        if (side !== 'high' && side !== 'low') continue;
        // A suppressed figure has no position (review 31, R31-1); a document published before that may give one.
        if (typeof row[m.name] !== 'number') continue;
        if (previousSide(String(row.code), m.name, comparator.column) === side) continue;
        const limit = limitsOf(row, m.name, comparator.column, side);
        const per = m.per;
        alerts.push({
          level: 'pcn',
          code: row.code,
          period_type: 'fy',
          period: fy,
          region_code: String(row.region_code),
          icb_code: String(row.icb_code),
          kind: 'funnel',
          measure: m.name,
          comparator: comparator.label === 'England' ? 'national' : 'region',
          direction: side,
          figure: row[m.name] as number,
          limit: limit === null ? null : Math.round(limit * per * 100) / 100,
          message: `${side === 'high' ? 'Above' : 'Below'} the 99.8% limit around ${comparator.label} (adjusted for overdispersion)`,
          link: `/compare?fy=${encodeURIComponent(fy)}&pcn=${row.code}&measure=${m.name}`,
        });
      }
    }
  }
  return { alerts, summary: heldSummary(current, fy, national) };
}

/** While England's comparator of the year is held now: say so, and keep the last published positions (see above). */
function heldSummary(
  current: MetricDocument,
  fy: string,
  national: ReturnType<typeof lastNationalPositions>,
): AlertsHeldSummary {
  const measures = heldMeasures(current, fy);
  if (measures.length === 0) return {};
  const held = summaryOf(current, 'funnel_rates')?.[fy]?.[measures[0] ?? '']?.national_held;
  // Filed under the PCN's region now (its region then when it has no row now), as the alerts would be.
  const regionNow = new Map(
    current.rows.filter((r) => String(r.period) === fy).map((r) => [String(r.code), String(r.region_code)] as const),
  );
  const byRegion: Record<string, Record<string, Record<string, string>>> = {};
  for (const [code, { region, sides }] of national.positions) {
    const kept = Object.fromEntries(Object.entries(sides).filter(([m]) => measures.includes(m)));
    if (Object.keys(kept).length === 0) continue;
    const filed = regionNow.get(code) ?? region;
    byRegion[filed] = byRegion[filed] ?? {};
    byRegion[filed][code] = kept;
  }
  // No record when the positions before are unknown themselves (see lastNationalPositions): the next refresh lists.
  const record =
    national.unknown.size === 0
      ? { national_last_published: { fy, release: national.release, by_region: byRegion } }
      : {};
  return {
    national_held: {
      fy,
      measures,
      reason: `${held?.reason ?? 'England held'}: no PCN was compared with England this refresh, so no alert around England (alerts around regions were made)`,
      release: held?.release ?? null,
    },
    ...record,
  };
}

/** What identifies an alert from one refresh of a release to the next. */
const alertIdentity = (r: MetricRow) =>
  [r.kind, r.level, r.code, r.measure, r.comparator ?? '', r.direction, r.period].map(String).join('|');

/**
 * Each alert with the refresh that first listed it in this release: the previous refresh's, when it was of the same
 * release and listed the same alert, else this one (R21-6: the panel keeps the release's list, e-mails send new ones).
 */
function firstListed(rows: AlertRow[], listedBefore: MetricDocument | undefined, generatedAt: string): AlertRow[] {
  const before = new Map(
    (listedBefore?.rows ?? []).map((r) => [alertIdentity(r), String(r.first_listed ?? listedBefore?.generated_at)]),
  );
  return rows.map((r) => ({ ...r, first_listed: before.get(alertIdentity(r)) ?? generatedAt }));
}

/** The region and ICB an area lies in (a region: itself; an ICB: itself and its region). */
export type PlaceOf = (level: string, code: string) => { region_code?: string; icb_code?: string };

/**
 * The words an SPC alert adds when its month is partial (spc's partial_months: fewer of the area's PCNs sent it than
 * expected), so that a fall from a late file is not read as fewer referrals (red-team review 16, R16-3).
 */
function partialNote(row: MetricRow): string {
  const partial = (row.partial_months ?? {}) as Record<string, unknown>;
  const sent = partial[String(row.last_month)];
  return typeof sent === 'string' ? ` (a partial month: ${sent}; a late file may explain it)` : '';
}

function spcAlerts(current: MetricDocument, previous: MetricDocument | undefined, placeOf: PlaceOf): AlertRow[] {
  const key = (r: MetricRow) => `${r.level}|${r.code}|${r.measure}`;
  const before = new Map((previous?.rows ?? []).map((r) => [key(r), r] as const));
  const alerts: AlertRow[] = [];
  for (const row of current.rows) {
    const variation = String(row.variation);
    if (!variation.startsWith('concern_')) continue;
    // New: the series was not already showing this concern at the previous refresh.
    if (before.get(key(row))?.variation === variation) continue;
    const high = variation === 'concern_high';
    const label = SPC_MEASURES.find((m) => m.name === row.measure)?.label ?? String(row.measure);
    alerts.push({
      level: row.level,
      code: row.code,
      period_type: 'month',
      period: String(row.last_month),
      ...(row.level === 'national' ? {} : placeOf(row.level, row.code)),
      kind: 'spc',
      measure: String(row.measure),
      direction: high ? 'high' : 'low',
      figure: row.last_value as number,
      limit: (high ? row.upper_limit : row.lower_limit) as number | null,
      message: `${label}: special cause of concern (${high ? 'higher' : 'lower'}) in ${row.last_month}${partialNote(row)}`,
      link: `/trends?${row.level === 'national' ? '' : `${row.level}=${row.code}&`}measure=${row.measure}`,
    });
  }
  return alerts;
}

export function alertsDocument(
  current: { funnels: MetricDocument; spc: MetricDocument },
  /**
   * The documents of the previous release (alerts-base.ts): alerts is its alerts document, whose summary carries
   * England's positions through a held release; listedBefore the previous refresh's alerts when it was of this release.
   */
  previous: { funnels?: MetricDocument; spc?: MetricDocument; alerts?: MetricDocument; listedBefore?: MetricDocument },
  context: {
    generatedAt: string;
    dataAsOf: string | null;
    placeOf: PlaceOf;
  },
): MetricDocument {
  const funnel = funnelAlerts(current.funnels, previous);
  const rows = firstListed(
    [...funnel.alerts, ...spcAlerts(current.spc, previous.spc, context.placeOf)],
    previous.listedBefore,
    context.generatedAt,
  );
  return {
    name: 'alerts',
    title: 'What changed',
    description:
      "Since the previous release (the last refresh with an earlier data-as-of date; every refresh of a release lists the release's alerts): PCNs newly outside the 99.8% funnel limits adjusted for overdispersion (around England or their region) in the latest financial year, and monthly series whose latest point is newly a special cause of concern on a Making Data Count chart. Each gives the figure, the limit and a link to the view. After the first refresh every current signal is listed. While England's year is held (no PCN position against England published) no alert around England is made and summary.national_held says so; the next refresh compares with the positions last published before the hold (summary.national_last_published), so a PCN outside England's limits before and after a hold is not listed again, and one that moved outside is.",
    generated_at: context.generatedAt,
    data_as_of: context.dataAsOf,
    definitions: {
      kind: 'funnel (a PCN against the funnel limits) or spc (a monthly series).',
      measure: 'The measure.',
      comparator: 'funnel: national (England) or region.',
      direction: 'high or low.',
      figure: 'The published figure (a funnel rate per 1,000 or per 100; the last month of a series).',
      limit: 'The limit crossed (funnel: at the PCN size, from the published curve; spc: the process limit).',
      message: 'What changed, in words.',
      link: 'The dashboard view.',
      compared_with: 'The refresh this one is compared with: the last of the previous release.',
      first_listed: 'When the alert was first listed in this release (the refresh that found it; e-mailed then only).',
    },
    disclosure: 'Alerts repeat figures and limits already published (rounded below England) in pcn_comparison and spc.',
    keys: ['kind', 'measure', 'comparator'],
    // Each lead sees what changed in their own area only (England's own series: the national team).
    visibility: 'inside_area',
    rows,
    summary: {
      compared_with: previous.funnels?.generated_at ?? previous.spc?.generated_at ?? null,
      by_region: rows.reduce<Record<string, number>>((counts, r) => {
        const region = r.region_code;
        if (typeof region === 'string') counts[region] = (counts[region] ?? 0) + 1;
        return counts;
      }, {}),
      ...funnel.summary,
    },
  };
}

/**
 * Amazon SNS refuses a message over 262,144 bytes of UTF-8 ("at most 256 KB in size (262,144 bytes, not 262,144
 * characters)", https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, Message). A region's list is cut to fit
 * well within it, ending with how many were left off and where to see them all.
 */
export const SNS_MESSAGE_MAX_BYTES = 262_144;
/** SNS's Subject: ASCII, no line breaks, "less than 100 characters long" (API_Publish.html, Subject). */
const SNS_SUBJECT_MAX_CHARS = 99;

export interface RegionalAlertMessage {
  readonly region: string;
  readonly subject: string;
  readonly message: string;
  /** Alerts listed in the message, and in the region altogether. */
  readonly listed: number;
  readonly alerts: number;
}

const MEASURE_LABELS: ReadonlyMap<string, string> = new Map([
  ...FUNNEL_MEASURES.map((m) => [m.name, m.label] as const),
  ...SPC_MEASURES.map((m) => [m.name, m.label] as const),
]);

/** One alert as a line of plain text: the area by its code, the measure, what changed, figure, limit and link. */
function alertLine(row: MetricRow, dashboardUrl: string): string {
  const area = row.level === 'national' ? 'England' : `${String(row.level).toUpperCase()} ${row.code}`;
  const measure = MEASURE_LABELS.get(String(row.measure)) ?? String(row.measure);
  const limit = typeof row.limit === 'number' ? `, limit ${row.limit}` : '';
  return `- ${area}, ${measure}: ${row.message}. Figure ${row.figure}${limit}.\n  ${dashboardUrl}${row.link}`;
}

/**
 * Each region's alerts as one plain-text message for its SNS topic (the e-mail its leads receive). Built from the
 * published alerts document only: area codes and figures already published (rounded below England), never a
 * person's detail. A region with no alert gets no message. England's own series are not any region's.
 */
export function regionalAlertMessages(
  alerts: MetricDocument,
  options: { dashboardUrl: string; maxBytes?: number },
): RegionalAlertMessage[] {
  const dashboardUrl = options.dashboardUrl.replace(/\/+$/, '');
  const maxBytes = options.maxBytes ?? SNS_MESSAGE_MAX_BYTES;
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  const byRegion = new Map<string, MetricRow[]>();
  // Only the alerts first listed at this refresh: a refresh of the same release keeps the release's earlier alerts on
  // the panel (alerts-base.ts), which were sent when first listed. A row from before first_listed is new.
  const fresh = alerts.rows.filter((r) => r.first_listed === undefined || r.first_listed === alerts.generated_at);
  for (const row of fresh) {
    const region = row.region_code;
    if (typeof region !== 'string' || region === '') continue;
    byRegion.set(region, [...(byRegion.get(region) ?? []), row]);
  }
  return [...byRegion.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, rows]) => {
      const head = [
        `What changed in region ${region} at the refresh of ${alerts.generated_at} (data to ${alerts.data_as_of ?? 'no date'}).`,
        `${rows.length} ${rows.length === 1 ? 'alert' : 'alerts'}: PCNs newly outside the 99.8% funnel limits adjusted for overdispersion, and series with a new special cause of concern. Figures below England are rounded, as published.`,
        `All of them: ${dashboardUrl}/trends?region=${region}`,
        '',
      ].join('\n');
      const lines: string[] = [];
      // Room kept for the closing line that says how many were left off.
      const closing = (left: number) => (left === 0 ? '' : `\n\n...and ${left} more on the dashboard.`);
      let size = bytes(head) + bytes(closing(rows.length));
      for (const row of rows) {
        const line = `\n${alertLine(row, dashboardUrl)}`;
        if (size + bytes(line) > maxBytes) break;
        lines.push(line);
        size += bytes(line);
      }
      const subject = `Social prescribing: ${rows.length} new ${rows.length === 1 ? 'alert' : 'alerts'} for region ${region}`;
      return {
        region,
        subject: subject.slice(0, SNS_SUBJECT_MAX_CHARS),
        message: `${head}${lines.join('')}${closing(rows.length - lines.length)}`,
        listed: lines.length,
        alerts: rows.length,
      };
    });
}
