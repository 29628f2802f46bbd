import { AREA_CODE_PATTERN } from '../contract/areas.ts';
import type { MetaDocument, MetricDocument, MetricRow, PcnVersion } from '../contract/index.ts';
import { inForceDuring, periodDays } from '../contract/periods.ts';
import { HttpError } from '../lib/http-errors.ts';

/**
 * Who is asking, and so what they may see (README, "Roles and what each sees"):
 * - national: every row;
 * - region / icb: aggregate rows (England, regions, ICBs) everywhere, PCN rows only for PCNs in their area;
 * - pcn: its own PCN's rows and the aggregates of its ICB, its region and England.
 */
export type Role = 'national' | 'region' | 'icb' | 'pcn';

export interface Identity {
  readonly role: Role;
  /** ENG for national; the region, ICB or PCN code otherwise. */
  readonly code: string;
  /** Who, for the access log: a user name or token id, never a person's details. */
  readonly subject: string;
}

export const ROLE_CODE: Readonly<Record<Role, RegExp>> = AREA_CODE_PATTERN;

export const ROLES = Object.keys(ROLE_CODE) as Role[];

/** A valid sign-in whose role cannot be worked out: 403. */
export class InvalidIdentityError extends HttpError {
  constructor(message: string) {
    super(403, message);
  }
}
/** No token, or one that is expired, tampered with or not ours: 401. The message never repeats the token. */
export class UnauthenticatedError extends HttpError {
  constructor(message: string) {
    super(401, message);
  }
}

/** An identity from untrusted parts (token claims, group names): the role must be known and the code its shape. */
export function identityOf(role: unknown, code: unknown, subject: string): Identity {
  if (typeof role !== 'string' || !ROLES.includes(role as Role))
    throw new InvalidIdentityError('the role must be national, region, icb or pcn');
  const scopeCode = role === 'national' ? (code ?? 'ENG') : code;
  if (typeof scopeCode !== 'string' || !ROLE_CODE[role as Role].test(scopeCode))
    throw new InvalidIdentityError(`the ${role} role needs a valid ${role} code`);
  return { role: role as Role, code: scopeCode, subject };
}

/** The levels a published row can be at; any other is shown to the national team only. */
const LEVELS: ReadonlySet<string> = new Set(['national', 'region', 'icb', 'pcn']);

export const NATIONAL_LOCAL_USER: Identity = { role: 'national', code: 'ENG', subject: 'local-loopback' };

/** Where a PCN was: its ICB and that ICB's region. */
interface Place {
  readonly icb: string;
  readonly region: string;
}

/**
 * Which rows an identity may see, given the geography the metrics were published with, read for the period of each
 * row (R21-1): each user sees the rows of the areas that were theirs in the period shown. A PCN row of a month (or a
 * financial year) is an ICB's or a region's if the PCN was in it on that month's first day (on any day of that year),
 * as the refresh places it in their figures (refresh.ts parentFinder); a PCN reads the aggregates of the ICBs and
 * regions it was in during the row's period (its former ICB's years before a merger, not after). A row of any other
 * period ('all': SPC series), a call without a period (a pack, a query's area) or a meta.json without PCN versions is
 * read by the latest versions, the rule before R21-1. Never wider than a period's own geography: a PCN not in force in
 * a period belongs to no area in it.
 */
export class Scope {
  private readonly pcnIcb = new Map<string, string>();
  private readonly icbRegion = new Map<string, string>();
  private readonly pcnVersions = new Map<string, PcnVersion[]>();
  private readonly icbVersions = new Map<string, PcnVersion[]>();
  private readonly days = new Map<string, readonly [string, string] | null>();

  constructor(
    readonly identity: Identity,
    geography: Pick<MetaDocument, 'icbs' | 'pcns'> & Partial<Pick<MetaDocument, 'pcn_versions'>>,
  ) {
    for (const icb of geography.icbs) this.icbRegion.set(icb.code, icb.parent ?? '');
    for (const pcn of geography.pcns) this.pcnIcb.set(pcn.code, pcn.parent ?? '');
    for (const version of geography.pcn_versions ?? []) {
      this.pcnVersions.set(version.code, [...(this.pcnVersions.get(version.code) ?? []), version]);
      this.icbVersions.set(version.icb, [...(this.icbVersions.get(version.icb) ?? []), version]);
    }
  }

  /** The days a period's geography is read on (periods.ts periodDays), once per period; null without a known one. */
  private daysOf(period: string | undefined): readonly [string, string] | null {
    if (period === undefined) return null;
    if (!this.days.has(period)) this.days.set(period, periodDays(period));
    return this.days.get(period) ?? null;
  }

  /** Where a PCN was in the period: its versions in force then; without a period or versions, its latest version. */
  private placesOf(pcnCode: string, period: string | undefined): readonly Place[] {
    const days = this.daysOf(period);
    const versions = this.pcnVersions.get(pcnCode);
    if (days !== null && versions !== undefined)
      return versions.filter((v) => inForceDuring(v, days)).map((v) => ({ icb: v.icb, region: v.region }));
    const icb = this.pcnIcb.get(pcnCode);
    return icb === undefined ? [] : [{ icb, region: this.icbRegion.get(icb) ?? '' }];
  }

  /** The regions an ICB was in during the period (by its PCNs' versions); without a period or versions, its latest. */
  private regionsOfIcb(icbCode: string, period: string | undefined): readonly string[] {
    const days = this.daysOf(period);
    const versions = this.icbVersions.get(icbCode);
    if (days !== null && versions !== undefined)
      return versions.filter((v) => inForceDuring(v, days)).map((v) => v.region);
    const region = this.icbRegion.get(icbCode);
    return region === undefined ? [] : [region];
  }

  /** Is a PCN-level row the identity's: its own PCN, or a PCN in its ICB or region in the period. */
  private pcnInArea(pcnCode: string, period: string | undefined): boolean {
    const { role, code } = this.identity;
    if (role === 'pcn') return pcnCode === code;
    if (role === 'icb') return this.placesOf(pcnCode, period).some((p) => p.icb === code);
    if (role === 'region') return this.placesOf(pcnCode, period).some((p) => p.region === code);
    return true;
  }

  /**
   * May this identity see the row at this level and code, of this period (a row's `period`; none: by the latest
   * geography)? A level it does not know is refused (fails closed).
   */
  allows(level: string, code: string, period?: string): boolean {
    const { role } = this.identity;
    if (role === 'national') return true;
    if (!LEVELS.has(level)) return false;
    if (level === 'pcn') return this.pcnInArea(code, period);
    if (role !== 'pcn') return true;
    // A PCN sees the aggregates of England and of its own ICB and region in the period only.
    if (level === 'national') return true;
    const places = this.placesOf(this.identity.code, period);
    if (level === 'icb') return places.some((p) => p.icb === code);
    if (level === 'region') return places.some((p) => p.region === code);
    return false;
  }

  /**
   * May this identity see the area's rows of some period (the latest geography, or any version)? Only to accept a
   * query naming the area: the rows answered are still each checked for their own period (`rows`).
   */
  allowsInSomePeriod(level: string, code: string): boolean {
    if (this.allows(level, code)) return true;
    const { role, code: own } = this.identity;
    if (!LEVELS.has(level) || role === 'national') return false;
    if (level === 'pcn') {
      const versions = this.pcnVersions.get(code) ?? [];
      return role === 'icb'
        ? versions.some((v) => v.icb === own)
        : role === 'region' && versions.some((v) => v.region === own);
    }
    if (role !== 'pcn') return false;
    const versions = this.pcnVersions.get(own) ?? [];
    if (level === 'icb') return versions.some((v) => v.icb === code);
    if (level === 'region') return versions.some((v) => v.region === code);
    return false;
  }

  /**
   * Is the area the identity's own or inside it (in the period, as `allows`)? England: the national team only; a
   * region: that region's lead; an ICB: its lead and its region's; a PCN: as `allows` (itself, for a PCN). Stricter
   * than `allows`, for documents about each area's own business (MetricDocument.visibility 'inside_area').
   */
  inside(level: string, code: string, period?: string): boolean {
    const { role, code: own } = this.identity;
    if (role === 'national') return true;
    if (level === 'pcn') return this.pcnInArea(code, period);
    if (level === 'icb')
      return role === 'icb' ? code === own : role === 'region' && this.regionsOfIcb(code, period).includes(own);
    if (level === 'region') return role === 'region' && code === own;
    return false;
  }

  /**
   * Is a row of a document about each area's own business (visibility 'inside_area': the alerts) the identity's? A
   * PCN row that names its ICB and region (an alert is filed under the PCN's area when it was made) goes to that ICB's
   * and region's leads only: by the period's geography, an alert of the year about a PCN that moved mid-year went to
   * its former ICB and region too (review 23, R23-3). Other rows: `inside`.
   */
  insideRow(row: MetricRow): boolean {
    const { role, code: own } = this.identity;
    if (row.level === 'pcn' && typeof row.icb_code === 'string' && typeof row.region_code === 'string') {
      if (role === 'icb') return row.icb_code === own;
      if (role === 'region') return row.region_code === own;
    }
    return this.inside(String(row.level), String(row.code), row.period === undefined ? undefined : String(row.period));
  }

  /** The rows of a document this identity may see, by the document's visibility. */
  rows<T extends MetricRow>(rows: readonly T[], visibility?: MetricDocument['visibility']): T[] {
    if (visibility === 'inside_area') return rows.filter((row) => this.insideRow(row));
    return rows.filter((row) =>
      this.allows(String(row.level), String(row.code), row.period === undefined ? undefined : String(row.period)),
    );
  }

  /**
   * A document's summary as this identity may see it: under every key named `regions` or `by_region` (funnel rates
   * and limits by region, alert counts by region), only the regions the rows' rule lets it see, read for the period
   * they are under as rows are (`funnel_rates['2025/26']…regions`: the regions of 2025/26, so a PCN that moved region
   * reads its region of that year, not its latest; review 23, R23-2). Regions under no period (a month or a financial
   * year key) are read by the latest geography. The rest of a summary is England's or about the document itself.
   */
  summary(summary: unknown, visibility?: MetricDocument['visibility']): unknown {
    if (this.identity.role === 'national') return summary;
    const visible = visibility === 'inside_area' ? this.inside.bind(this) : this.allows.bind(this);
    const walk = (value: unknown, period: string | undefined): unknown => {
      if (Array.isArray(value)) return value.map((v) => walk(v, period));
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => {
          // A key that is a period (periods.ts periodDays: a month or a financial year) is the period of what it holds.
          const within = periodDays(key) === null ? period : key;
          return (key === 'regions' || key === 'by_region') && inner !== null && typeof inner === 'object'
            ? [
                key,
                Object.fromEntries(
                  Object.entries(inner)
                    .filter(([region]) => visible('region', region, within))
                    .map(([region, v]) => [region, walk(v, within)]),
                ),
              ]
            : [key, walk(inner, within)];
        }),
      );
    };
    return walk(summary, undefined);
  }

  describe(): string {
    const { role, code } = this.identity;
    return role === 'national' ? 'national' : `${role} ${code}`;
  }
}
