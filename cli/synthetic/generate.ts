import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EVENT_FIELD_NAMES,
  PCN_REFERENCE_COLUMNS,
  WORKFORCE_FIELD_NAMES,
  type WorkforceRow,
} from '../../functions/contract/index.ts';
import { CsvBytes } from './csv-bytes.ts';
import { type EpisodeContext, personId, type SimEvent, simulateEpisode } from './episodes.ts';
import { loadRealMap, referenceRows, type SimPcn, simulatePcns } from './geography.ts';
import { Rng } from './random.ts';
import { ENGLAND_LIST_SIZE, referralRate, seasonality, simulatedOffers } from './trajectories.ts';

export interface GenerateOptions {
  readonly outDir: string;
  /** Share of England's PCNs simulated, 0-1 (1 = all of them: 1,297 in December 2025, and 3 that closed). @default 1 */
  readonly scale: number;
  /** Months of activity. @default 36 */
  readonly months: number;
  /** Last month simulated, YYYY-MM. @default the last complete month */
  readonly endMonth: string;
  readonly seed: number;
  /** Share of rows given a fault (bad value, duplicate id, correction, retraction). @default 0.003 */
  readonly faultRate: number;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * When each file is received (ms since 1970), by its path (uploads/...): none of its rows is recorded later, since a
   * system cannot record a change after the extract was taken, and the ingest refuses a recorded_at more than a day
   * after the upload was received (R19-10). The generator stamps recorded_at up to 72 hours after an event, so a demo
   * made on the 1st to the 3rd of a month would otherwise send the last month's final days recorded after their
   * receipt. Without it, no bound (the files are then the same whatever the day they are made).
   */
  readonly receivedAt?: (path: string) => number;
  /** Called with each PCN's event files once they are written, then with each month's workforce files. */
  readonly onFiles?: (files: readonly FileEntry[]) => void;
}

/** What was written and which faults were injected, so a test or a person can check the pipeline's answers. */
export interface GenerateManifest {
  readonly seed: number;
  readonly scale: number;
  readonly months: readonly string[];
  readonly pcns: number;
  /** PCNs in all of England: pcns / englandPcns is the share of the country simulated. */
  readonly englandPcns: number;
  readonly reference: string;
  readonly files: FileEntry[];
  readonly totals: {
    readonly eventRows: number;
    readonly workforceRows: number;
    readonly referrals: number;
    /** Offers declined: declines with no referral (the person said no before being referred). */
    readonly declines: number;
    /** Declines on a referral's own referral_id (the person was referred, then declined). */
    readonly declinedAfterReferral: number;
    readonly badRows: number;
    readonly duplicateRows: number;
    readonly corrections: number;
    readonly retractions: number;
    /** Community connections attended (as simulated), each sent attended=false in its own month's file. */
    readonly attended: number;
    /** Of them, those whose attendance was sent as a correction in a later month's file (the rest fall after the demo). */
    readonly attendanceCorrections: number;
  };
}

export interface FileEntry {
  readonly path: string;
  readonly kind: 'events' | 'workforce';
  readonly pcn: string;
  readonly month: string;
  readonly rows: number;
  readonly badRows: number;
  readonly duplicateRows: number;
  readonly corrections: number;
  readonly retractions: number;
  /** Corrections of earlier months' community connections to attended=true (not faults: how attendance is sent). */
  readonly attendanceCorrections: number;
  /** Delivered two months late. */
  readonly late: boolean;
  /** Holds an NHS number by mistake: the whole file must be rejected. */
  readonly identifiable: boolean;
}

export function lastCompleteMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

export function monthsEnding(end: string, count: number): string[] {
  const [y, m] = end.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - count + i, 1)).toISOString().slice(0, 7));
}

const DAY = 86_400_000;
const monthStart = (month: string) => Date.parse(`${month}-01T00:00:00Z`);
const daysIn = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
};
const nextMonth = (month: string, n = 1) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
};

/**
 * Upload files are written as a PCN's system would: exact values (no formula neutralising), LF line ends; that is
 * csvText(columns, rows, { neutraliseFormulas: false, newline: '\n' }) in UTF-8, written by CsvBytes into one
 * buffer that every file reuses (each is written before the next is made).
 */
const csvBytes = new CsvBytes();
function csv(columns: readonly string[], rows: readonly object[]): Buffer {
  csvBytes.start(columns);
  for (const row of rows) csvBytes.row(columns, row);
  return csvBytes.bytes();
}

const breakPcnCode = (e: SimEvent) => {
  e.pcn_code = 'U1234';
};

/** A bad value of the kind PCN systems really send, one per faulty row. */
export const BREAKAGES: ((event: SimEvent) => void)[] = [
  (e) => {
    e.event_type = 'refferal';
  },
  (e) => {
    e.occurred_on = '2024-13-01';
  },
  (e) => {
    delete e.person_id;
  },
  breakPcnCode,
  (e) => {
    e.practice_code = 'not-a-code';
  },
];

/** The demo's share of rows given a fault (the CLI's --fault-rate default). */
export const DEMO_FAULT_RATE = 0.003;

/** A retraction is dated within the first this-many days of the month after the event's. */
export const RETRACTION_DAYS = 21;

/**
 * A correction as a PCN's system sends it with the next month's file: the same event_id, a recorded_at of the 4th of
 * that month, and one field changed (a contact's duration 5 minutes longer, a referral's source "self"). Made only of
 * contacts and referrals.
 */
export function correctionOf(event: SimEvent, following: string): SimEvent {
  const corrected: SimEvent = {
    ...event,
    recorded_at: new Date(monthStart(following) + 3 * DAY).toISOString().replace('.000Z', 'Z'),
  };
  if (event.event_type === 'contact') corrected.duration_minutes = (event.duration_minutes as number) + 5;
  else corrected.referral_source = 'self';
  return corrected;
}

/**
 * The most months after an event's own month that a correction of it is sent in: a file of month M holds rows of
 * months M-2 to M. The attendance of a community connection is sent one month on or, for a few, two; a fault's
 * correction or retraction one month on. MonthCompaction (npm start) compacts month M once the files to M+2 are in.
 */
export const CORRECTION_MONTHS = 2;

/**
 * The share of a PCN's months whose connections' attendance is sent two months on rather than with the next month's
 * file (the link worker's records brought up to date late). Drawn by PCN and month, not by connection: a file then
 * holds rows of two months before only in one month in ten, and each month a file holds rows of is one more object
 * for the ingest to write (by connection, nearly every file had them: npm start's ingest wrote 8,008 curated objects, not 6,220).
 */
export const ATTENDANCE_TWO_MONTHS_ON = 0.1;

/**
 * How a clinical system sends a community connection the person went on to attend: the connection in its own month's
 * file as `attended = false` (the first session has not been yet, and the contract has no "not yet known"), and the
 * same event again, `attended = true` and a later recorded_at, with a later month's file (docs/methodology.md,
 * "Community": the attendance cohort). With the next month's file, or two months on (`twoMonthsOn`: the PCN-months
 * drawn at ATTENDANCE_TWO_MONTHS_ON); recorded on the 4th to the 25th of that month in working hours, so after the
 * connection's own recorded_at (at most 72 hours after its day, so by the 3rd) and before its file is received (the
 * file is capped there anyway: recordedBy). The connection passed in is left as it is.
 */
export function attendanceOf(
  connection: SimEvent,
  twoMonthsOn: boolean,
  rng: Rng,
): { month: string; correction: SimEvent } {
  const month = nextMonth((connection.occurred_on as string).slice(0, 7), twoMonthsOn ? 2 : 1);
  const at = monthStart(month) + rng.int(3, 24) * DAY + rng.int(8, 17) * 3_600_000;
  return {
    month,
    correction: { ...connection, attended: true, recorded_at: new Date(at).toISOString().replace('.000Z', 'Z') },
  };
}

/**
 * A retraction of an event, sent with the next month's file: a row of its own (event_id `<id>.x`) dated `dayOfMonth`
 * days into that month, recorded an hour later, naming the event it withdraws.
 */
export function retractionOf(event: SimEvent, following: string, dayOfMonth: number, seed: number): SimEvent {
  const day = monthStart(following) + dayOfMonth * DAY;
  const pcnCode = event.pcn_code as string;
  return {
    event_id: `${event.event_id}.x`,
    event_type: 'retraction',
    pcn_code: pcnCode,
    referral_id: event.referral_id as string,
    person_id: (event.person_id as string | undefined) ?? personId(seed, pcnCode, 0),
    occurred_on: new Date(day).toISOString().slice(0, 10),
    recorded_at: new Date(day + 3_600_000).toISOString().replace('.000Z', 'Z'),
    retracts_event_id: event.event_id as string,
  };
}

/** Writes a seeded national demo: per-PCN monthly event and workforce files, the PCN reference file, a manifest. */
export function generateNationalDemo(options: GenerateOptions): GenerateManifest {
  const steps = generationSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * generateNationalDemo, letting the event loop run after each PCN and each month's workforce files (a few hundred
 * milliseconds apart), so that the caller can meanwhile hear from the workers ingesting the files already written.
 */
export async function generateNationalDemoInTurns(options: GenerateOptions): Promise<GenerateManifest> {
  const steps = generationSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The generator's work, paused after each PCN's files and each month's workforce files. */
function* generationSteps(options: GenerateOptions): Generator<void, GenerateManifest, undefined> {
  const root = new Rng(options.seed);
  const months = monthsEnding(options.endMonth, options.months);
  const lastMonth = months[months.length - 1] as string;
  const lastDay = monthStart(nextMonth(lastMonth)) - DAY;
  const pcns = simulatePcns(root.fork('geography'), options.scale);

  mkdirSync(join(options.outDir, 'reference'), { recursive: true });
  const reference = 'reference/pcns.csv';
  writeFileSync(join(options.outDir, reference), csv(PCN_REFERENCE_COLUMNS, referenceRows(pcns)));

  const faults = root.fork('faults');
  const latePick = { pcn: faults.int(0, pcns.length - 1), month: faults.int(0, Math.max(0, months.length - 3)) };
  const identifiablePick = { pcn: faults.int(0, pcns.length - 1), month: faults.int(0, months.length - 1) };
  const files: FileEntry[] = [];
  const totals = {
    eventRows: 0,
    workforceRows: 0,
    referrals: 0,
    declines: 0,
    declinedAfterReferral: 0,
    badRows: 0,
    duplicateRows: 0,
    corrections: 0,
    retractions: 0,
    attended: 0,
    attendanceCorrections: 0,
  };
  // The simulated PCNs stand for all of England's: national figures are shared out by list size.
  const map = loadRealMap();
  const englandPcns = map.latest.size;
  const simulatedEnglandList = pcns.reduce((sum, p) => sum + p.listSize, 0) * (englandPcns / pcns.length);
  const listScale = ENGLAND_LIST_SIZE / simulatedEnglandList;

  for (const [pcnIndex, pcn] of pcns.entries()) {
    const pcnFilesFrom = files.length;
    const rng = root.fork(`pcn:${pcn.code}`);
    const providers = Array.from(
      { length: 25 + Math.round(pcn.listSize / 2_000) },
      (_, i) => `VCSE-${pcn.icb.code}-${(i * 7 + pcnIndex).toString(36).toUpperCase()}`,
    );
    const ctx: EpisodeContext = {
      rng,
      pcn,
      seed: options.seed,
      lastDay,
      outcomeEffect: Math.max(0.2, rng.normal(1, 0.3)),
      providers,
    };
    const byMonth = new Map<string, SimEvent[]>(months.map((m) => [m, []]));
    // Attendance sent as corrections with a later month's file (attendanceOf), by that month. Drawn from a stream of
    // its own, so the episodes are the same draws as when attendance was sent with the connection.
    const attendance = root.fork(`attendance:${pcn.code}`);
    const twoMonthsOn = new Set(months.filter(() => attendance.chance(ATTENDANCE_TWO_MONTHS_ON)));
    const attendanceIn = new Map<string, SimEvent[]>();
    const people: string[] = [];
    let serial = 0;
    months.forEach((month, monthNo) => {
      if (!inForce(pcn, month)) return;
      const expected =
        ((pcn.listSize * referralRate(month)) / 12) *
        pcn.activity *
        seasonality(month) *
        listScale *
        simulatedOffers(month);
      const count = rng.poisson(expected);
      for (let i = 0; i < count; i++) {
        const person =
          people.length > 20 && rng.chance(0.06) ? rng.pick(people) : personId(options.seed, pcn.code, serial++);
        if (people.length < 5_000) people.push(person);
        const referralDay = monthStart(month) + rng.int(0, daysIn(month) - 1) * DAY;
        const referralId = `R${month.replace('-', '')}-${(monthNo * 100_000 + i).toString(36)}`;
        let referred = false; // an episode's referral, if it has one, is its first event
        for (const event of simulateEpisode(ctx, referralId, person, referralDay, month)) {
          if (pcn.closes && (event.occurred_on as string).slice(0, 7) > pcn.closes) continue;
          byMonth.get((event.occurred_on as string).slice(0, 7))?.push(event);
          if (event.event_type === 'community_connection' && event.attended === true) {
            totals.attended++;
            const connected = (event.occurred_on as string).slice(0, 7);
            const { month: sentIn, correction } = attendanceOf(event, twoMonthsOn.has(connected), attendance);
            event.attended = false;
            // After the demo's last month, its attendance is still to come: the connection stays attended=false.
            if (sentIn <= lastMonth) attendanceIn.set(sentIn, [...(attendanceIn.get(sentIn) ?? []), correction]);
          }
          if (event.event_type === 'referral') {
            referred = true;
            totals.referrals++;
          }
          if (event.event_type === 'declined') {
            if (referred) totals.declinedAfterReferral++;
            else totals.declines++;
          }
        }
      }
    });

    const carried = new Map<string, SimEvent[]>(); // corrections and retractions sent with the next month's file
    months.forEach((month, monthNo) => {
      if (!inForce(pcn, month)) return;
      const attendanceCorrections = attendanceIn.get(month) ?? [];
      const events = [...(byMonth.get(month) ?? []), ...attendanceCorrections, ...(carried.get(month) ?? [])];
      const late = pcnIndex === latePick.pcn && monthNo === latePick.month;
      const identifiable = pcnIndex === identifiablePick.pcn && monthNo === identifiablePick.month;
      const entry = { badRows: 0, duplicateRows: 0, corrections: 0, retractions: 0 };
      const rows: SimEvent[] = [];
      for (const event of events) {
        rows.push(event);
        if (!faults.chance(options.faultRate) || event.event_type === 'retraction') continue;
        const which = faults.int(0, 3);
        const following = nextMonth(month);
        if (which === 0) {
          // A bad pcn_code in a file's first row would leave its sender unknown: a different fault, not a bad row.
          const broken = faults.pick(rows.length === 1 ? BREAKAGES.filter((b) => b !== breakPcnCode) : BREAKAGES);
          broken(event);
          entry.badRows++;
        } else if (which === 1) {
          rows.push({ ...event });
          entry.duplicateRows++;
        } else if (
          which === 2 &&
          following <= lastMonth &&
          (event.event_type === 'contact' || event.event_type === 'referral')
        ) {
          carried.set(following, [...(carried.get(following) ?? []), correctionOf(event, following)]);
          entry.corrections++;
        } else if (which === 3 && following <= lastMonth) {
          const retraction = retractionOf(event, following, faults.int(0, RETRACTION_DAYS - 1), options.seed);
          carried.set(following, [...(carried.get(following) ?? []), retraction]);
          entry.retractions++;
        }
      }
      if (identifiable && rows.length > 0) {
        // A PCN that pasted an NHS number into a provider id: the guard must reject the whole file.
        const victim = rows.find((r) => r.event_type === 'community_connection') ?? (rows[0] as SimEvent);
        victim.event_type = 'community_connection';
        victim.provider_id = '943 476 5919';
      }
      const deliveredIn = late ? nextMonth(month, 2) : month;
      if (rows.length > 0) {
        const path = `uploads/${deliveredIn}/${pcn.code}-events-${month}${late ? '-late' : ''}.csv`;
        const received = options.receivedAt?.(path);
        if (received !== undefined) recordedBy(rows, received);
        mkdirSync(join(options.outDir, 'uploads', deliveredIn), { recursive: true });
        writeFileSync(join(options.outDir, path), csv(EVENT_FIELD_NAMES, rows));
        files.push({
          path,
          kind: 'events',
          pcn: pcn.code,
          month,
          rows: rows.length,
          ...entry,
          attendanceCorrections: attendanceCorrections.length,
          late,
          identifiable,
        });
        totals.attendanceCorrections += attendanceCorrections.length;
        totals.eventRows += rows.length;
        totals.badRows += entry.badRows;
        totals.duplicateRows += entry.duplicateRows;
        totals.corrections += entry.corrections;
        totals.retractions += entry.retractions;
      }
    });
    options.onFiles?.(files.slice(pcnFilesFrom));
    options.onProgress?.(pcnIndex + 1, pcns.length);
    yield;
  }

  const simulatedByCode = new Map(pcns.map((p) => [p.code, p]));
  for (const month of months) {
    const monthFilesFrom = files.length;
    mkdirSync(join(options.outDir, 'uploads', month), { recursive: true });
    for (const staff of demoWorkforce(options.scale >= 1 ? 'all' : new Set(pcns.map((p) => p.code)), month)) {
      const code = (staff[0] as WorkforceRow).pcn_code;
      // A PCN sends no snapshot for a month it is not in force: the publication is one 2025 snapshot, and the three
      // PCNs that closed in 2025 sent it every month after, left out of every figure with a warning at each start.
      const simulated = simulatedByCode.get(code);
      if (simulated && !inForce(simulated, month)) continue;
      const path = `uploads/${month}/${code}-workforce-${month}.csv`;
      writeFileSync(join(options.outDir, path), csv(WORKFORCE_FIELD_NAMES, staff));
      files.push({
        path,
        kind: 'workforce',
        pcn: code,
        month,
        rows: staff.length,
        badRows: 0,
        duplicateRows: 0,
        corrections: 0,
        retractions: 0,
        attendanceCorrections: 0,
        late: false,
        identifiable: false,
      });
      totals.workforceRows += staff.length;
    }
    options.onFiles?.(files.slice(monthFilesFrom));
    yield;
  }

  const manifest: GenerateManifest = {
    englandPcns,
    seed: options.seed,
    scale: options.scale,
    months,
    pcns: pcns.length,
    reference,
    files,
    totals,
  };
  writeFileSync(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/**
 * A file's rows recorded no later than it was received: a later recorded_at becomes the receipt's time (to the second,
 * rounded down). Every recorded_at the generator writes is `YYYY-MM-DDTHH:MM:SSZ`, so the texts compare as times.
 */
function recordedBy(rows: readonly SimEvent[], received: number): void {
  const latest = new Date(Math.floor(received / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  for (const row of rows) if ((row.recorded_at as string) > latest) row.recorded_at = latest;
}

/** Whether a PCN is in force in a month (YYYY-MM): after it opens and before it closes in the reference's history. */
function inForce(pcn: SimPcn, month: string): boolean {
  return !((pcn.opens && month < pcn.opens) || (pcn.closes && month > pcn.closes));
}

/**
 * The demo's workforce files for a month: the real PCN workforce publication, as `workforce import` turns it into
 * files (FTE only), for the simulated PCNs; with all of England ('all'), for every PCN in the publication, those
 * no longer (or not) in the extracts too, so England's figure is the published one. The publication is one 2025
 * snapshot, so every month sends the same.
 */
export function demoWorkforce(pcns: ReadonlySet<string> | 'all', month: string): WorkforceRow[][] {
  const { workforce } = loadRealMap();
  return [...workforce.keys()]
    .filter((code) => pcns === 'all' || pcns.has(code))
    .sort()
    .map((code) => (workforce.get(code) ?? []).map((row) => ({ ...row, snapshot_month: month })));
}

/** Realistic events of one PCN, episode after episode, for as long as the caller keeps taking them. */
export function* eventStream(seed: number, endMonth = '2026-09'): Generator<SimEvent, never, undefined> {
  const rng = new Rng(seed);
  const months = monthsEnding(endMonth, 24);
  const pcn = simulatePcns(rng.fork('geography'), 0.01)[0] as SimPcn;
  const lastDay = monthStart(nextMonth(endMonth)) - DAY;
  const providers = Array.from({ length: 200 }, (_, i) => `VCSE-${pcn.icb.code}-${i.toString(36).toUpperCase()}`);
  const ctx: EpisodeContext = { rng, pcn, seed, lastDay, outcomeEffect: 1, providers };
  for (let serial = 0; ; serial++) {
    const month = rng.pick(months);
    const referralId = `R${month.replace('-', '')}-${serial.toString(36)}`;
    const day = monthStart(month) + rng.int(0, daysIn(month) - 1) * DAY;
    yield* simulateEpisode(ctx, referralId, personId(seed, pcn.code, serial), day, month);
  }
}

/** One large events file for a single PCN (for benchmarks). */
export function writeLargeEventsFile(path: string, rows: number, seed: number): { pcnCode: string; rows: number } {
  const file = new CsvBytes().start(EVENT_FIELD_NAMES);
  let pcnCode = '';
  let written = 0;
  for (const event of eventStream(seed)) {
    if (written >= rows) break;
    pcnCode = event.pcn_code as string;
    file.row(EVENT_FIELD_NAMES, event);
    written++;
  }
  writeFileSync(path, file.bytes());
  return { pcnCode, rows };
}
