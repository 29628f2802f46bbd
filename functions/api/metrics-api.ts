import { type Identity, Scope } from '../auth/scope.ts';
import type { MetaDocument, MetricDocument, MetricRow } from '../contract/index.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { META_KEY, metricKey } from '../refresh/refresh.ts';

export interface ApiRequest {
  readonly method: string;
  /** The path without the query string, e.g. /api/metrics/rollout.csv */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Who is asking, already authenticated by the caller (Cognito JWT in AWS, a signed token locally). */
  readonly identity: Identity;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const LEVELS = ['national', 'region', 'icb', 'pcn'] as const;
const CODE_FOR_LEVEL: Record<(typeof LEVELS)[number], RegExp> = {
  national: /^ENG$/,
  region: /^Y\d{2}$/,
  icb: /^Q[A-Z0-9]{2}$/,
  pcn: /^U\d{5}$/,
};
const PERIOD = /^(\d{4}-(0[1-9]|1[0-2])|\d{4}\/\d{2}|all)$/;
const FILTERS = new Set(['level', 'code', 'period', 'period_type']);

class BadRequest extends Error {}
class Forbidden extends Error {}

const json = (status: number, body: unknown, extra: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra },
  body: JSON.stringify(body),
});

/** A spreadsheet would run a cell that starts with = + - @ or a control character as a formula: make it text. */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : neutraliseFormula(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rows of a document as CSV: exactly the (suppressed) figures the JSON carries, * for suppressed. */
export function documentToCsv(rows: readonly MetricRow[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function filtersOf(query: URLSearchParams, scope: Scope) {
  for (const key of query.keys()) {
    if (!FILTERS.has(key))
      throw new BadRequest(`unknown query parameter "${key.slice(0, 40)}": use level, code, period or period_type`);
  }
  const level = query.get('level');
  const code = query.get('code');
  const period = query.get('period');
  const periodType = query.get('period_type');
  if (level !== null && !LEVELS.includes(level as (typeof LEVELS)[number]))
    throw new BadRequest('level must be one of national, region, icb, pcn');
  if (code !== null) {
    if (level === null) throw new BadRequest('code needs a level');
    if (!CODE_FOR_LEVEL[level as (typeof LEVELS)[number]].test(code))
      throw new BadRequest(`code is not a valid ${level} code`);
    if (!scope.allows(level, code))
      throw new Forbidden(`your role (${scope.describe()}) does not include ${level} ${code}: see README, "Roles"`);
  }
  if (period !== null && !PERIOD.test(period))
    throw new BadRequest('period must be YYYY-MM, a financial year such as 2024/25, or all');
  if (periodType !== null && !['month', 'fy', 'all'].includes(periodType))
    throw new BadRequest('period_type must be month, fy or all');
  return (row: MetricRow) =>
    (level === null || row.level === level) &&
    (code === null || row.code === code) &&
    (period === null || row.period === period) &&
    (periodType === null || row.period_type === periodType);
}

export interface MetricsApiOptions {
  /**
   * How long a warm instance trusts its copy of meta.json before reading it again. The refresh writes meta last, so a
   * new generated_at there means new documents: the cached ones are dropped. @default 30000 (30 seconds)
   */
  readonly metaTtlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The metrics API, shared by the Lambda behind the HTTP API and the local server:
 * GET /api/meta, GET /api/me, GET /api/metrics/<name>[.csv]?level=&code=&period=&period_type=
 * Every metric route returns only the rows the caller's role may see (functions/auth/scope.ts).
 */
export class MetricsApi {
  private readonly cache = new Map<string, unknown>();
  private meta: { document: MetaDocument; readAt: number } | undefined;
  private readonly metaTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: ObjectStore,
    options: MetricsApiOptions = {},
  ) {
    this.metaTtlMs = options.metaTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** Forget cached documents (after a refresh). */
  invalidate(): void {
    this.cache.clear();
    this.meta = undefined;
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const bytes = await this.store.get(key);
    return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as T);
  }

  private async load<T>(key: string): Promise<T | undefined> {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const parsed = await this.read<T>(key);
    if (parsed !== undefined) this.cache.set(key, parsed);
    return parsed;
  }

  /** meta.json, read again once it is older than the TTL; documents of an earlier refresh are forgotten then. */
  private async loadMeta(): Promise<MetaDocument | undefined> {
    if (this.meta && this.now() - this.meta.readAt < this.metaTtlMs) return this.meta.document;
    const document = await this.read<MetaDocument>(META_KEY);
    if (document?.generated_at !== this.meta?.document.generated_at) this.cache.clear();
    this.meta = document ? { document, readAt: this.now() } : undefined;
    return document;
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return json(405, { error: 'only GET is supported' }, { allow: 'GET' });
    try {
      if (request.path === '/api/me') {
        const { role, code, subject } = request.identity;
        return json(200, { role, code, subject });
      }
      const meta = await this.loadMeta();
      if (!meta) return json(503, { error: 'no metrics have been published yet: run a refresh' });
      if (request.path === '/api/meta') return json(200, meta);
      const match = /^\/api\/metrics\/([a-z_]{1,40})(\.csv)?$/.exec(request.path);
      if (!match) return json(404, { error: 'no such route: use /api/meta, /api/me or /api/metrics/<name>' });
      const [, name, csv] = match as unknown as [string, string, string | undefined];
      const scope = new Scope(request.identity, meta);
      const keep = filtersOf(request.query, scope);
      const document = await this.load<MetricDocument>(metricKey(name));
      if (!document) return json(404, { error: `no metric called ${name}` });
      const rows = scope.rows(document.rows, document.visibility).filter(keep);
      if (csv) {
        return {
          status: 200,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${name}.csv"`,
            'cache-control': 'no-store',
          },
          body: documentToCsv(rows),
        };
      }
      return json(200, { ...document, rows });
    } catch (error) {
      if (error instanceof BadRequest) return json(400, { error: error.message });
      if (error instanceof Forbidden) return json(403, { error: error.message });
      throw error;
    }
  }
}
