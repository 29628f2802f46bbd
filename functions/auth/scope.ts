import { AREA_CODE_PATTERN } from '../contract/areas.ts';
import type { MetaDocument, MetricDocument, MetricRow } from '../contract/index.ts';
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

/** Which rows an identity may see, given the geography the metrics were published with. */
export class Scope {
  private readonly pcnIcb = new Map<string, string>();
  private readonly icbRegion = new Map<string, string>();

  constructor(
    readonly identity: Identity,
    geography: Pick<MetaDocument, 'icbs' | 'pcns'>,
  ) {
    for (const icb of geography.icbs) this.icbRegion.set(icb.code, icb.parent ?? '');
    for (const pcn of geography.pcns) this.pcnIcb.set(pcn.code, pcn.parent ?? '');
  }

  /** The area a PCN-level row belongs to, by the geography in force when the metrics were published. */
  private pcnInArea(pcnCode: string): boolean {
    const { role, code } = this.identity;
    const icb = this.pcnIcb.get(pcnCode);
    if (role === 'pcn') return pcnCode === code;
    if (role === 'icb') return icb === code;
    if (role === 'region') return icb !== undefined && this.icbRegion.get(icb) === code;
    return true;
  }

  /** May this identity see the row at this level and code? A level it does not know is refused (fails closed). */
  allows(level: string, code: string): boolean {
    const { role } = this.identity;
    if (role === 'national') return true;
    if (!LEVELS.has(level)) return false;
    if (level === 'pcn') return this.pcnInArea(code);
    if (role !== 'pcn') return true;
    // A PCN sees the aggregates of its own ICB, region and England only.
    const icb = this.pcnIcb.get(this.identity.code);
    if (level === 'national') return true;
    if (level === 'icb') return code === icb;
    if (level === 'region') return icb !== undefined && code === this.icbRegion.get(icb);
    return false;
  }

  /**
   * Is the area the identity's own or inside it? England: the national team only; a region: that region's lead; an
   * ICB: its lead and its region's; a PCN: as `allows` (itself, for a PCN). Stricter than `allows`, for documents
   * about each area's own business (MetricDocument.visibility 'inside_area').
   */
  inside(level: string, code: string): boolean {
    const { role, code: own } = this.identity;
    if (role === 'national') return true;
    if (level === 'pcn') return this.pcnInArea(code);
    if (level === 'icb') return role === 'icb' ? code === own : role === 'region' && this.icbRegion.get(code) === own;
    if (level === 'region') return role === 'region' && code === own;
    return false;
  }

  /** The rows of a document this identity may see, by the document's visibility. */
  rows<T extends MetricRow>(rows: readonly T[], visibility?: MetricDocument['visibility']): T[] {
    const visible = visibility === 'inside_area' ? this.inside.bind(this) : this.allows.bind(this);
    return rows.filter((row) => visible(String(row.level), String(row.code)));
  }

  /**
   * A document's summary as this identity may see it: under every key named `regions` or `by_region` (funnel rates
   * and limits by region, alert counts by region), only the regions the rows' rule lets it see. The rest of a summary
   * is England's or about the document itself.
   */
  summary(summary: unknown, visibility?: MetricDocument['visibility']): unknown {
    if (this.identity.role === 'national') return summary;
    const visible = visibility === 'inside_area' ? this.inside.bind(this) : this.allows.bind(this);
    const walk = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(walk);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) =>
          (key === 'regions' || key === 'by_region') && inner !== null && typeof inner === 'object'
            ? [
                key,
                Object.fromEntries(
                  Object.entries(inner)
                    .filter(([region]) => visible('region', region))
                    .map(([region, v]) => [region, walk(v)]),
                ),
              ]
            : [key, walk(inner)],
        ),
      );
    };
    return walk(summary);
  }

  describe(): string {
    const { role, code } = this.identity;
    return role === 'national' ? 'national' : `${role} ${code}`;
  }
}
