import type { QueryEngine, Row } from '../lib/query-engine.ts';
import { COMPLETE_SUBMISSION_SHARE, monthEnd, submittedEnough } from './projection.ts';

/**
 * A PCN's extract has stopped when none covers any of the more than STOPPED_AFTER_MONTHS months that have ended since
 * its last month reported (onboarded.sql's last_month: its last month with events, or later where an extract from it
 * arrived after a later month ended). A quarter, as a PCN's reporting span bridges a quarter without events
 * (onboarded.sql, MAX_GAP): an extract that failed for up to a quarter and is sent again is late, not stopped.
 */
export const STOPPED_AFTER_MONTHS = 3;

/**
 * The earliest last month reported of a PCN still sending on `today` (YYYY-MM-DD, the refresh's date): a PCN whose
 * last month reported is before it has stopped (sql/meta/stopped_pcns.sql, parameter 1). On 4 January 2027 the months
 * ended are up to December 2026; one whose last month is August 2026 has sent none of September to December (4, more
 * than 3): stopped; one whose last month is September has missed 3: late. So the answer is September 2026, the
 * month of `today` less STOPPED_AFTER_MONTHS + 1.
 */
export function stoppedBefore(today: string): string {
  const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - (STOPPED_AFTER_MONTHS + 1);
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * The data-as-of date (docs/methodology.md, "Data as of"): the last day of the last complete month. A month is
 * complete once it has ended (the refresh runs on a later day) and at least COMPLETE_SUBMISSION_SHARE of the PCNs still
 * sending that had onboarded by then (open on its first day, its reporting span begun in it or an earlier month:
 * onboarded.sql; its extract not stopped: stoppedBefore) have sent at least one event in force dated in it. The
 * denominator is the PCNs onboarded, not all PCNs open: during a rollout in waves most open PCNs have not started
 * uploading, and a share of all of them would keep every month unpublished for years; the rollout document shows how
 * many PCNs of those open sent each month, so coverage is never hidden. A PCN whose extract has stopped (none for more
 * than a quarter) is not waited for, and is counted in its own field (pcns_stopped): waited for, it would hold every
 * later month back for as long as it stays open, once a few such PCNs had used up the allowance. Every figure's period
 * ends with that month; events dated later are kept in the curated store and counted once their month is complete. A
 * month before it that fell short stays published. The projection reads its complete months from here.
 */
export const DATA_AS_OF_RULE = `Figures cover events up to the end of the last complete month: a month is complete once it has ended and at least ${Math.round(COMPLETE_SUBMISSION_SHARE * 100)}% of the PCNs sending by then have sent events for it. A PCN is sending from the first month of its regular reporting (PCNs of later rollout waves count from theirs), while it is open, until its extract stops: once no extract from it has covered any of the last ${STOPPED_AFTER_MONTHS + 1} months ended, it is counted as stopped (pcns_stopped) and no later month waits for it. The rollout page shows how many of the PCNs open sent each month. Events dated later are kept and published when their month is complete.`;

/** The prepare step that holds the last month published: the prepare steps after it read no later month. */
export const PUBLISHED_THROUGH = 'published_through';

/**
 * One month with events: of the PCNs open on its first day, how many had onboarded, how many of those had stopped
 * sending before it (not waited for), and how many sent it (sql/meta/data_as_of.sql).
 */
export interface MonthSubmissions {
  readonly month: string;
  readonly pcnsSubmitting: number;
  readonly pcnsOnboarded: number;
  readonly pcnsStopped: number;
  readonly pcnsOpen: number;
  /** The registered list of the PCNs still sending (onboarded, not stopped), those late for the month included. */
  readonly listSending?: number;
}

export interface DataAsOf {
  /** The last day of the last complete month; null while no month is complete. */
  readonly dataAsOf: string | null;
  /** The last complete month (YYYY-MM); null while none is. */
  readonly lastMonth: string | null;
  /** Months with events after the last complete one, not yet published, with how many PCNs have sent them. */
  readonly pending: readonly MonthSubmissions[];
  /** The complete months up to the last one (a month before it that fell short is published but not among them). */
  readonly completeMonths: readonly string[];
  /** PCNs open and onboarded whose extract had stopped before the latest month with events (0 while none has). */
  readonly pcnsStopped: number;
  /**
   * England's registered list of the PCNs still sending, by month (late ones included): what the year-end projection
   * is made at (projection.ts, R16-2); set by publishCompleteMonths.
   */
  readonly listsSending?: Readonly<Record<string, number>>;
}

/** The last complete month on `today` (YYYY-MM-DD, the refresh's date) and the months after it that wait. */
export function dataAsOfOn(months: readonly MonthSubmissions[], today: string): DataAsOf {
  const sorted = [...months].sort((a, b) => a.month.localeCompare(b.month));
  // The PCNs still sending: those onboarded less those whose extract had stopped before the month.
  const complete = sorted.filter(
    (m) =>
      monthEnd(m.month) < today &&
      submittedEnough({ pcnsOnboarded: m.pcnsOnboarded - m.pcnsStopped, pcnsSubmitting: m.pcnsSubmitting }),
  );
  const lastMonth = complete.at(-1)?.month ?? null;
  return {
    dataAsOf: lastMonth === null ? null : monthEnd(lastMonth),
    lastMonth,
    pending: sorted.filter((m) => lastMonth === null || m.month > lastMonth),
    completeMonths: complete.map((m) => m.month),
    pcnsStopped: sorted.at(-1)?.pcnsStopped ?? 0,
  };
}

/** The table of the PCNs whose extract has stopped (sql/meta/stopped_pcns.sql): data_as_of and stopped_extracts read it. */
export const STOPPED_PCNS = 'stopped_pcns';

/**
 * The PCNs whose extract has stopped, open on the first day of the latest month with events (the last of
 * sql/meta/data_as_of.sql's months: after the last complete month, the last pending one), each with its last month
 * reported (sql/meta/stopped_extracts.sql): meta.json's pcns_stopped, named. None while no month has events. Read
 * after publishCompleteMonths, from the table of stopped PCNs it kept.
 */
export async function stoppedExtracts(engine: QueryEngine, asOf: DataAsOf): Promise<Row[]> {
  const latest = asOf.pending.at(-1)?.month ?? asOf.lastMonth;
  if (latest === null) return [];
  const firstDay = `${latest}-01`;
  return engine.query('meta/stopped_extracts', [latest, firstDay, firstDay]);
}

/**
 * The refresh log's line naming the PCNs whose extract has stopped (stoppedExtracts: meta.json's pcns_stopped), each
 * with its last month reported, or undefined when none has. PCN codes are not personal.
 */
export function describeStopped(rows: readonly Record<string, unknown>[]): string | undefined {
  if (rows.length === 0) return undefined;
  const list = rows.map((r) => `${String(r.pcn_code)} (last month reported ${String(r.last_month)})`).join('; ');
  return `refresh: PCNs whose extract has stopped (no extract from them covers any of the last ${STOPPED_AFTER_MONTHS + 1} months ended) are no longer waited for by the data-as-of rule (meta.json pcns_stopped): ${list}. Ask the PCN to restart its extract; its months since are no data until it does.`;
}

/** The rows of sql/meta/data_as_of.sql. */
export function monthSubmissions(rows: readonly Record<string, unknown>[]): MonthSubmissions[] {
  return rows.map((r) => ({
    month: String(r.month),
    pcnsSubmitting: Number(r.pcns_submitting),
    pcnsOnboarded: Number(r.pcns_onboarded),
    pcnsStopped: Number(r.pcns_stopped),
    pcnsOpen: Number(r.pcns_open),
    listSending: Number(r.list_sending ?? 0),
  }));
}

/**
 * Keeps the PCNs whose extract has stopped on the refresh's date as table stopped_pcns, reads how complete each month
 * is (after the onboarded step), decides the data-as-of date on the refresh's date and keeps the last month published
 * as table published_through for the steps after it.
 */
export async function publishCompleteMonths(engine: QueryEngine, refreshedAt: Date): Promise<DataAsOf> {
  const today = refreshedAt.toISOString().slice(0, 10);
  await engine.materialize(STOPPED_PCNS, `meta/${STOPPED_PCNS}`, [stoppedBefore(today)]);
  const months = monthSubmissions(await engine.query('meta/data_as_of'));
  const decided = dataAsOfOn(months, today);
  // No month is before '0000-00': nothing is published while no month is complete.
  await engine.materialize(PUBLISHED_THROUGH, `meta/${PUBLISHED_THROUGH}`, [decided.lastMonth ?? '0000-00']);
  return { ...decided, listsSending: Object.fromEntries(months.map((m) => [m.month, m.listSending ?? 0])) };
}

/** What meta.json says beside data_as_of when England's latest published months are held whole (revisions.ts). */
export interface EnglandAsOf {
  readonly england_months_held: readonly string[];
  readonly england_data_as_of: string | null;
}

/**
 * The months published for regions, ICBs and PCNs whose England figures are all held as no figure yet by the revisions
 * policy (revisions.ts: a new month with any figure made up by fewer than 3 PCNs is held whole, and so is a month of a
 * held year), and the last day of the last month England's figures are published for. `data_as_of` stays the areas'
 * (their figures of the month are published); a reader of "data as of" is told that England's are not, rather than
 * reading England's latest month as published. Read from rollout's England rows as published (after the holds): a
 * month held as no figure has no England referrals (a month held at an earlier release's value has them, and is
 * published). Nothing when no month is held so.
 */
export function englandAsOf(
  months: readonly string[],
  rolloutRows: readonly Row[],
): EnglandAsOf | Record<string, never> {
  const shown = new Set(
    rolloutRows
      .filter(
        (r) => r.level === 'national' && r.period_type === 'month' && r.referrals !== null && r.referrals !== undefined,
      )
      .map((r) => String(r.period)),
  );
  const held = months.filter((m) => !shown.has(m));
  if (held.length === 0) return {};
  const last = months.filter((m) => shown.has(m)).at(-1);
  return { england_months_held: held, england_data_as_of: last === undefined ? null : monthEnd(last) };
}
