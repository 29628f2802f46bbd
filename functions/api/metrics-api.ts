import { type Identity, Scope } from '../auth/scope.ts';
import { AREA_CODE_PATTERN } from '../contract/areas.ts';
import type { MetaDocument, MetricDocument, MetricRow } from '../contract/index.ts';
import { FINANCIAL_YEAR_PATTERN, MONTH_PATTERN } from '../contract/periods.ts';
import { summaryOf } from '../contract/summaries.ts';
import { csvText } from '../lib/csv.ts';
import { BadRequestError, errorResponse, ForbiddenError, type HttpResponse, jsonResponse } from '../lib/http-errors.ts';
import { META_KEY, metricKey, packKey, releasedKey } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { releaseOf } from '../lib/release.ts';
import { AnswerCache } from './answer-cache.ts';
import { EncodedBody, matchesEtag } from './compress.ts';

export interface ApiRequest {
  readonly method: string;
  /** The path without the query string, e.g. /api/metrics/rollout.csv */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Who is asking, already authenticated by the caller (Cognito JWT in AWS, a signed token locally). */
  readonly identity: Identity;
  /** The If-None-Match header, if any: an answer whose entity tag it names is answered 304 Not Modified. */
  readonly ifNoneMatch?: string;
}

export type ApiResponse = HttpResponse & {
  /** A binary answer (a PDF pack): sent instead of body, which is then empty. */
  readonly binary?: Buffer;
  /** The body in each coding the API sends (compress.ts), with its entity tag: set on every successful text answer. */
  readonly encoded?: EncodedBody;
};

const LEVELS = ['national', 'region', 'icb', 'pcn'] as const;
const isPeriod = (period: string) =>
  period === 'all' || MONTH_PATTERN.test(period) || FINANCIAL_YEAR_PATTERN.test(period);
const FILTERS = new Set(['level', 'code', 'period', 'period_type']);

const json = jsonResponse;

/** A file to save (a CSV of a document, a PDF pack): named, never cached. */
const attachment = (
  contentType: string,
  fileName: string,
  content: Pick<ApiResponse, 'body' | 'binary'>,
): ApiResponse => ({
  status: 200,
  headers: {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${fileName}"`,
    'cache-control': 'no-store',
  },
  ...content,
});

/** What a CSV says of its document beside the rows: its data-as-of date and summary (cohorts, windows ended). */
export type CsvAbout = Pick<MetricDocument, 'data_as_of' | 'summary'>;

/**
 * The rows of a document as CSV: exactly the (suppressed) figures the JSON carries, * for suppressed. A cell holding a
 * list or an object (an SPC row's monthly values and rules) is written as its JSON text, not `[object Object]`.
 * Given the document, every row also says what the JSON says beside the rows (review 6, K2): its period (where the
 * rows have none), the data-as-of date, and for cohort-based figures which referrals they cover, so a file saved
 * on its own still says what it is. A document without a data_as_of (the contract requires one) adds nothing.
 */
export function documentToCsv(rows: readonly MetricRow[], about?: CsvAbout): string {
  const own = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const added: [string, (row: MetricRow) => unknown][] = [];
  if (about?.data_as_of !== undefined) {
    const dataAsOf = about.data_as_of;
    if (!own.includes('period')) added.push(['period', () => dataAsOf]);
    if (!own.includes('data_as_of')) added.push(['data_as_of', () => dataAsOf]);
    const covers = coversOf(about);
    if (covers && !own.includes('covers')) added.push(['covers', covers]);
  }
  const withheld = about === undefined ? undefined : withheldOf(about);
  if (withheld && !own.includes('withheld_below_england')) added.push(['withheld_below_england', withheld]);
  const columns = [...own, ...added.map(([name]) => name)];
  const cell = (value: unknown) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
  return csvText(
    columns,
    rows.map((row) => [...own.map((c) => cell(row[c])), ...added.map(([, value]) => value(row))]),
  );
}

/**
 * Which referrals a row's figures cover, from the document's summary: the outcome documents' cohorts (England's
 * periods held at an earlier release cover that release's), cof_system's windows ended, or which connections
 * cof_community's attendance covers (its attendance cohort; R19-12). undefined: not cohort-based.
 */
function coversOf({ summary }: CsvAbout): ((row: MetricRow) => string) | undefined {
  const made = (cutoff: { readonly referred_on_or_before: string }) =>
    `referrals made by ${cutoff.referred_on_or_before}`;
  const cohorts = summaryOf({ summary }, 'cohorts');
  if (cohorts)
    return (row) => {
      const held = row.level === 'national' ? cohorts.held?.[String(row.period)] : undefined;
      const { engagement, outcomes } = held ?? cohorts;
      const covers = `engagement: ${made(engagement)}; outcomes: ${made(outcomes)}`;
      return held ? `${covers} (held at the release of data to ${held.data_as_of ?? 'unknown'})` : covers;
    };
  const attendance = summaryOf({ summary }, 'attendance_cohort');
  if (attendance)
    return (row) => {
      const held = row.level === 'national' ? attendance.held?.[String(row.period)] : undefined;
      const covers = `attendance: connections made by ${(held ?? attendance).connected_on_or_before}`;
      return held ? `${covers} (held at the release of data to ${held.data_as_of ?? 'unknown'})` : covers;
    };
  const ended = summary?.windows_ended;
  if (Array.isArray(ended) && ended.length > 0) {
    const text = (ended as readonly { months: number; referred_on_or_before: string }[])
      .map((w) => `${w.months}-month windows: ${made(w)}`)
      .join('; ');
    return () => text;
  }
  return undefined;
}

/**
 * On the rows of a period (and keys) whose rows below England disclosure control withheld (the document's
 * summary.withheld_below_england; red-team review 7, M8), the levels withheld, so that a file saved on its own tells
 * them from no data; undefined where none is.
 */
function withheldOf({ summary }: CsvAbout): ((row: MetricRow) => string) | undefined {
  const entries = summaryOf({ summary }, 'withheld_below_england')?.withheld;
  if (entries === undefined || entries.length === 0) return undefined;
  return (row) => {
    const entry = entries.find(
      (e) =>
        e.period === row.period &&
        e.period_type === row.period_type &&
        Object.entries(e.keys ?? {}).every(([k, v]) => row[k] === v),
    );
    if (entry === undefined) return '';
    // England's row held too (the revisions policy): its figures on this row are not this release's (key28's note).
    const held = entry.england_held === true ? "; England's figures held while a revision is checked" : '';
    return `rows withheld for disclosure control: ${entry.levels.join(', ')}${held}`;
  };
}

/**
 * Where the release a meta.json names keeps the object `key` names in the layout before releases (R24-2: documents and
 * packs of the release meta.json names, never a newer refresh's written before its meta.json). Answers for one meta are
 * made from one release, whatever a refresh running now has written so far.
 */
const publishedKey = (meta: MetaDocument | undefined, key: string) => releasedKey(releaseOf(meta), key);

function filtersOf(query: URLSearchParams, scope: Scope) {
  for (const key of query.keys()) {
    if (!FILTERS.has(key))
      throw new BadRequestError(
        // Not named: a parameter's name, like its value, might be something personal pasted into a link.
        'an unknown query parameter: use level, code, period or period_type',
      );
    // Known, so named; its values are not repeated. (The first one was taken: ?period=all&period=2025/26, no rows.)
    if (query.getAll(key).length > 1) throw new BadRequestError(`${key} is given more than once: give each once`);
  }
  const level = query.get('level');
  const code = query.get('code');
  const period = query.get('period');
  const periodType = query.get('period_type');
  if (level !== null && !LEVELS.includes(level as (typeof LEVELS)[number]))
    throw new BadRequestError('level must be one of national, region, icb, pcn');
  if (code !== null) {
    if (level === null) throw new BadRequestError('code needs a level');
    if (!AREA_CODE_PATTERN[level as (typeof LEVELS)[number]].test(code))
      throw new BadRequestError(`code is not a valid ${level} code`);
    // The area of any period the role had (R21-1: a PCN's former ICB); `scope.rows` keeps each row's own period's.
    if (!scope.allowsInSomePeriod(level, code))
      throw new ForbiddenError(
        `your role (${scope.describe()}) does not include ${level} ${code}: see README, "Roles"`,
      );
  }
  if (period !== null && !isPeriod(period))
    throw new BadRequestError('period must be YYYY-MM, a financial year such as 2024/25, or all');
  if (periodType !== null && !['month', 'fy', 'all'].includes(periodType))
    throw new BadRequestError('period_type must be month, fy or all');
  return (row: MetricRow) =>
    (level === null || row.level === level) &&
    (code === null || row.code === code) &&
    (period === null || row.period === period) &&
    (periodType === null || row.period_type === periodType);
}

/** The query's parameters in one order, so that the same question asked in another order is the same answer. */
function queryKey(query: URLSearchParams): string {
  const parts: string[] = [];
  query.forEach((value, name) => {
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  });
  return parts.length < 2 ? (parts[0] ?? '') : parts.sort().join('&');
}

/**
 * Bytes of answers kept per refresh (each a role's or area's answer to a route and its filters: the JSON, its gzip and
 * its Brotli form). 64 MiB holds every page's answers for hundreds of areas (a national answer is at most about
 * 1.9 MB of JSON and 0.4 MB gzipped, issue 12's measure), and stays a small part of the API function's 1,024 MB.
 * A whole national document asked for unfiltered is larger (up to 77 MB of JSON at 36 months); one that costs more than
 * the budget is not kept.
 */
export const DEFAULT_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * A metric answer may be kept by the browser but must be checked with the API before each use (its ETag, answered
 * 304 when unchanged); private, so no shared cache keeps one role's rows (RFC 9111 section 5.2.2).
 */
const ANSWER_CACHE_CONTROL = 'private, no-cache';

export interface MetricsApiOptions {
  /**
   * How long a warm instance trusts its copy of meta.json before reading it again. The refresh writes meta last, so a
   * new generated_at there means new documents: the cached ones are dropped. @default 30000 (30 seconds)
   */
  readonly metaTtlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Bytes of answers kept (AnswerCache): past it the least recently asked are dropped. @default DEFAULT_ANSWER_BYTES */
  readonly answerBytes?: number;
}

/**
 * The metrics API, shared by the Lambda behind the HTTP API and the local server:
 * GET /api/meta, GET /api/me, GET /api/metrics/<name>[.csv]?level=&code=&period=&period_type=
 * Every metric route returns only the rows the caller's role may see (functions/auth/scope.ts).
 */
export class MetricsApi {
  /**
   * The parsed documents of this refresh, by key. Not bounded in bytes, as the answers are: it holds at most one entry
   * per JSON object under metrics/ (a missing one is not kept), fourteen in a release. On the national release (36
   * months of England, 343 MB of JSON) all thirteen documents took 192 MB of V8 heap once every kind of caller had
   * been answered, a fifth of the API function's 1,024 MB (test/bench/api-memory.ts, 2026-12-04).
   */
  private readonly cache = new Map<string, Promise<unknown>>();
  /**
   * Whole answers of this refresh, by caller's scope, route and filters: each document is parsed once per refresh,
   * and each answer filtered, serialised and compressed once (the dashboard asks the same few questions of every
   * document). Bounded in bytes.
   */
  readonly answers: AnswerCache<ApiResponse>;
  /** Answers being made: a question asked again meanwhile (200 connections at once) waits for the same one. */
  private readonly making = new Map<string, Promise<ApiResponse>>();
  /** Counts the refreshes seen: an answer made for an earlier one is not kept. */
  private generation = 0;
  private meta: { document: MetaDocument; readAt: number } | undefined;
  /** The meta.json being read: callers asking at once (200 connections after the TTL) share one read and parse. */
  private metaRead: Promise<MetaDocument | undefined> | undefined;
  /** The warm-up after the last refresh seen by refreshed(). */
  warming: Promise<void> = Promise.resolve();
  private readonly metaTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: ObjectStore,
    options: MetricsApiOptions = {},
  ) {
    this.metaTtlMs = options.metaTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.answers = new AnswerCache(options.answerBytes ?? DEFAULT_ANSWER_BYTES);
  }

  /** How many times the documents and answers kept have been forgotten: once per refresh seen. */
  get invalidations(): number {
    return this.generation;
  }

  /** Forget cached documents (after a refresh); meta.json is read again by the next question. */
  invalidate(): void {
    this.forgetAnswers();
    this.meta = undefined;
    this.metaRead = undefined;
  }

  /**
   * A refresh has been published (the local server is told): its documents are forgotten once and the new ones read
   * and parsed now, not by the first questions after it.
   */
  refreshed(): Promise<void> {
    this.invalidate();
    this.warming = this.warm();
    return this.warming;
  }

  private forgetAnswers(): void {
    this.cache.clear();
    this.answers.clear();
    this.making.clear();
    this.generation++;
  }

  /**
   * Reads meta.json and parses every document it lists, so that the first questions after a refresh do not wait
   * for it (the local server calls it when a refresh is published).
   */
  async warm(): Promise<void> {
    const meta = await this.loadMeta();
    for (const { name } of meta?.metrics ?? []) await this.load(publishedKey(meta, metricKey(name)));
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const bytes = await this.store.get(key);
    return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as T);
  }

  /**
   * A document, read and parsed once per refresh: callers asking at once share the read. One read before a refresh
   * was seen (it may be the earlier document) serves its callers but is not kept; a missing one is asked again.
   */
  private load<T>(key: string): Promise<T | undefined> {
    let loading = this.cache.get(key);
    if (loading === undefined) {
      const reading = this.read<T>(key);
      const drop = () => {
        if (this.cache.get(key) === reading) this.cache.delete(key);
      };
      reading.then((parsed) => parsed === undefined && drop(), drop);
      this.cache.set(key, reading);
      loading = reading;
    }
    return loading as Promise<T | undefined>;
  }

  /** meta.json, read again once it is older than the TTL; documents of an earlier refresh are forgotten then. */
  private async loadMeta(): Promise<MetaDocument | undefined> {
    if (this.meta && this.now() - this.meta.readAt < this.metaTtlMs) return this.meta.document;
    if (this.metaRead === undefined) {
      const reading = this.readMeta();
      const done = () => {
        if (this.metaRead === reading) this.metaRead = undefined;
      };
      reading.then(done, done);
      this.metaRead = reading;
    }
    return this.metaRead;
  }

  private async readMeta(): Promise<MetaDocument | undefined> {
    const generation = this.generation;
    const document = await this.read<MetaDocument>(META_KEY);
    // Invalidated meanwhile: this read may predate the refresh, so the next one decides.
    if (generation !== this.generation) return document;
    // Nothing is kept while no meta is (after invalidate(), or before the first read): nothing to forget then.
    if (this.meta !== undefined && document?.generated_at !== this.meta.document.generated_at) this.forgetAnswers();
    this.meta = document ? { document, readAt: this.now() } : undefined;
    return document;
  }

  /**
   * An area's monthly PDF pack (functions/reports/), to a caller whose role may see that area: the pack for its own
   * leads if the caller is inside the area, else the one written without the area's own business (its alerts), so a
   * pack says no more than the caller reads through the metrics routes.
   */
  private async pack(
    level: (typeof LEVELS)[number],
    code: string,
    request: ApiRequest,
    meta: MetaDocument,
  ): Promise<ApiResponse> {
    if ([...request.query.keys()].length > 0) throw new BadRequestError('a pack takes no query parameters');
    if (!AREA_CODE_PATTERN[level].test(code)) throw new BadRequestError(`code is not a valid ${level} code`);
    const scope = new Scope(request.identity, meta);
    if (!scope.allows(level, code))
      throw new ForbiddenError(
        `your role (${scope.describe()}) does not include ${level} ${code}: see README, "Roles"`,
      );
    const bytes = await this.store.get(
      publishedKey(meta, packKey(level, code, scope.inside(level, code) ? 'inside' : 'outside')),
    );
    if (bytes === undefined) return json(404, { error: `no pack for ${level} ${code}: it is written by the refresh` });
    return attachment('application/pdf', `social-prescribing-pack-${code}-${meta.data_as_of ?? 'latest'}.pdf`, {
      body: '',
      binary: Buffer.from(bytes),
    });
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.path === '/api/me')
      return this.answer(request);
    // Only successful answers are kept, so a kept one was valid for this meta and this caller's scope.
    await this.loadMeta();
    const { role, code } = request.identity;
    const key = `${role}|${code}|${request.path}?${queryKey(request.query)}`;
    let response = this.answers.get(key);
    if (response === undefined) {
      let made = this.making.get(key);
      if (made === undefined) {
        made = this.make(key, request);
        this.making.set(key, made);
      }
      response = await made;
    }
    const { encoded } = response;
    if (encoded && matchesEtag(request.ifNoneMatch, encoded.etag))
      return { status: 304, headers: encoded.notModifiedHeaders, body: '' };
    return response;
  }

  /** Answers a question and, when it succeeds, encodes the answer and keeps it (for this refresh). */
  private async make(key: string, request: ApiRequest): Promise<ApiResponse> {
    const generation = this.generation;
    try {
      const answer = await this.answer(request);
      if (answer.status !== 200 || answer.binary) return answer;
      const attachment = answer.headers['content-disposition'] !== undefined;
      const headers = attachment ? answer.headers : { ...answer.headers, 'cache-control': ANSWER_CACHE_CONTROL };
      let response: ApiResponse | undefined;
      const encoded = await EncodedBody.of(answer.body, headers, (grown) => {
        if (response) this.answers.grow(key, response, grown);
      });
      response = { ...answer, headers: encoded.headersFor('identity'), encoded };
      // The body is held twice: as the string the Lambda returns uncompressed, and as the encoded bytes.
      if (generation === this.generation) this.answers.set(key, response, encoded.bytes + encoded.identity.length);
      return response;
    } finally {
      if (generation === this.generation) this.making.delete(key);
    }
  }

  private async answer(request: ApiRequest): Promise<ApiResponse> {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return json(405, { error: 'only GET is supported' }, { allow: 'GET' });
    try {
      // A route that takes no query refuses one (sec33): /api/meta answered any, so each new string was a new answer,
      // compressed again (Brotli at its best quality) and kept, about 50 times the CPU of a kept answer.
      if ((request.path === '/api/me' || request.path === '/api/meta') && !request.query.keys().next().done)
        throw new BadRequestError(`${request.path} takes no query parameters`);
      if (request.path === '/api/me') {
        const { role, code, subject } = request.identity;
        return json(200, { role, code, subject });
      }
      const meta = await this.loadMeta();
      if (!meta) return json(503, { error: 'no metrics have been published yet: run a refresh' });
      // The release it names is where the documents are stored, not part of the answer (the contract's meta).
      if (request.path === '/api/meta') {
        const { release: _stored, ...answered } = meta as MetaDocument & { release?: string };
        return json(200, answered);
      }
      const pack = /^\/api\/packs\/(national|region|icb|pcn)\/([A-Z0-9]{3,6})\.pdf$/.exec(request.path);
      if (pack) return await this.pack(pack[1] as (typeof LEVELS)[number], pack[2] as string, request, meta);
      const match = /^\/api\/metrics\/([a-z_]{1,40})(\.csv)?$/.exec(request.path);
      if (!match)
        return json(404, {
          error: 'no such route: use /api/meta, /api/me, /api/metrics/<name> or /api/packs/<level>/<code>.pdf',
        });
      const [, name, csv] = match as unknown as [string, string, string | undefined];
      const scope = new Scope(request.identity, meta);
      const keep = filtersOf(request.query, scope);
      const document = await this.load<MetricDocument>(publishedKey(meta, metricKey(name)));
      // A metric is a document of rows: meta.json sits beside the metrics but is not one (it was answered with a 500).
      if (!document || !Array.isArray(document.rows)) return json(404, { error: `no metric called ${name}` });
      const rows = scope.rows(document.rows, document.visibility).filter(keep);
      if (csv) {
        // Named by the period asked for and the data-as-of date: two years saved are two files (review 6, K2).
        const period = request.query.get('period');
        const fileName = [name, period?.replace('/', '-'), document.data_as_of ?? 'latest'].filter(Boolean).join('-');
        return attachment('text/csv; charset=utf-8', `${fileName}.csv`, { body: documentToCsv(rows, document) });
      }
      // The summary too: funnel rates by region, alert counts by region (review: a PCN saw every region's).
      return json(200, { ...document, rows, summary: scope.summary(document.summary, document.visibility) });
    } catch (error) {
      const response = errorResponse(error);
      if (response) return response;
      throw error;
    }
  }
}
