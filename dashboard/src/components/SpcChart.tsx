import type { Figure } from '../../../functions/contract/metrics.ts';
import {
  ASSURANCE_TEXT,
  type Assurance,
  causeKind,
  type Improvement,
  VARIATION_TEXT,
  type Variation,
} from '../../../functions/stats/spc-icons.ts';
import { longMonthLabel } from '../format.ts';
import { ValueGrid } from './ValueGrid.tsx';

export interface SpcSeries {
  readonly months: readonly string[];
  /** Each month's value; * or null where the month was suppressed or missing (left out of the chart). */
  readonly values: Readonly<Record<string, Figure | string>>;
  /** Rules flagging a month, e.g. "shift:high trend:high". */
  readonly rules: Readonly<Record<string, Figure | string>>;
  readonly mean: number | null;
  /** A run chart's centre line (fewer than 13 months): its shift rule reads the median, so the median is drawn. */
  readonly median?: number | null;
  readonly upperLimit: number | null;
  readonly lowerLimit: number | null;
  readonly target: number | null;
  readonly improvement: Improvement;
  readonly variation: Variation | null;
  readonly assurance: Assurance | null;
  /** Why the series is not charted (a suppressed month), or null: then no chart, line or icon is drawn, only this. */
  readonly notCharted?: string | null;
  /**
   * The months fewer of the area's PCNs sent than expected, each with how many ("1 of 2 PCNs sent": spc's
   * partial_months). Such a point is ringed and said to be partial, so that a fall from a late file is not read as a
   * signal without it (red-team review 16, R16-3).
   */
  readonly partial?: Readonly<Record<string, unknown>>;
}

/** The partial months of a series among those charted, oldest first, each with its words. */
export function partialPoints(series: Pick<SpcSeries, 'partial'>, charted: readonly string[]): [string, string][] {
  return charted.flatMap((m): [string, string][] => {
    const sent = series.partial?.[m];
    return typeof sent === 'string' ? [[m, sent]] : [];
  });
}

/**
 * The words under a chart with partial months: which, how many PCNs sent each, and what that means for a special
 * cause, the variation icon's above all when it reads a partial month. Undefined when none is partial.
 */
export function partialSpcNote(
  partial: readonly [string, string][],
  lastMonth: string | undefined,
  variation: Variation | null,
): string | undefined {
  if (partial.length === 0) return undefined;
  const list = partial.map(([m, sent]) => `${longMonthLabel(m)}: ${sent}`).join('; ');
  const last = partial.find(([m]) => m === lastMonth);
  const icon =
    last !== undefined && variation !== null && variation !== 'common_cause'
      ? ` The variation icon reads ${longMonthLabel(last[0])}, a partial month: read it again once every PCN has sent it.`
      : '';
  return `Partial month${partial.length === 1 ? '' : 's'} (ringed): ${list}. A PCN that has not sent a month yet is in none of its figures, so a low point or a special cause there may be a late file, not a change.${icon}`;
}

const W = 640;
const H = 280;
const M = { left: 64, right: 16, top: 16, bottom: 40 };
// NHS palette, as Making Data Count colours its points: blue improvement, orange concern, purple neither, grey common.
const COLOURS = { improvement: '#005eb8', concern: '#c05600', neither: '#6b2c91', common: '#768692' } as const;
type PointKind = keyof typeof COLOURS;

/** A marker whose shape as well as colour says what it is: circle, square, diamond or triangle. */
function Marker({ kind, x, y, size = 5 }: { kind: PointKind; x: number; y: number; size?: number }) {
  const fill = COLOURS[kind];
  if (kind === 'improvement') return <rect x={x - size} y={y - size} width={size * 2} height={size * 2} fill={fill} />;
  if (kind === 'concern')
    return (
      <path
        d={`M${x},${y - size - 1} L${x + size + 1},${y} L${x},${y + size + 1} L${x - size - 1},${y} Z`}
        fill={fill}
      />
    );
  if (kind === 'neither')
    return <path d={`M${x},${y - size - 1} L${x + size + 1},${y + size} L${x - size - 1},${y + size} Z`} fill={fill} />;
  return <circle cx={x} cy={y} r={size - 1.5} fill={fill} />;
}

/** A dashed ring around a partial month's point: its shape says so, beside the words of its title and the note. */
function PartialRing({ x, y }: { x: number; y: number }) {
  return <circle cx={x} cy={y} r={8} fill="none" stroke="#212b32" strokeWidth="1.5" strokeDasharray="3 2" />;
}

function kindOf(rules: string, improvement: Improvement): PointKind {
  const side = rules.includes(':high') ? 'high' : rules.includes(':low') ? 'low' : null;
  return side === null ? 'common' : causeKind(side, improvement);
}

/** The two Making Data Count icons, drawn and said in words (the words are what a screen reader reads). */
export function SpcIcons({ variation, assurance }: Pick<SpcSeries, 'variation' | 'assurance'>) {
  const variationKind: PointKind =
    variation === null || variation === 'common_cause' ? 'common' : (variation.split('_')[0] as PointKind);
  const letter = variation?.endsWith('_high') ? 'H' : variation?.endsWith('_low') ? 'L' : '~';
  const assuranceLetter = assurance === 'pass' ? 'P' : assurance === 'fail' ? 'F' : '?';
  const assuranceColour =
    assurance === 'pass' ? COLOURS.improvement : assurance === 'fail' ? COLOURS.concern : COLOURS.common;
  return (
    <ul className="flex flex-wrap gap-4 text-tremor-default text-tremor-content-strong" data-testid="spc-icons">
      <li className="flex items-center gap-2" data-testid="variation-icon" data-variation={variation ?? 'none'}>
        <svg width="28" height="28" viewBox="0 0 28 28" aria-hidden="true">
          <circle cx="14" cy="14" r="12" fill="white" stroke={COLOURS[variationKind]} strokeWidth="3" />
          <text x="14" y="19" textAnchor="middle" fontSize="14" fontWeight="bold" fill={COLOURS[variationKind]}>
            {letter}
          </text>
        </svg>
        <span>
          {variation === null
            ? 'Variation: fewer than 13 months, so a run chart without icons'
            : VARIATION_TEXT[variation]}
        </span>
      </li>
      <li className="flex items-center gap-2" data-testid="assurance-icon" data-assurance={assurance ?? 'none'}>
        <svg width="28" height="28" viewBox="0 0 28 28" aria-hidden="true">
          <circle cx="14" cy="14" r="12" fill="white" stroke={assuranceColour} strokeWidth="3" />
          <text x="14" y="19" textAnchor="middle" fontSize="14" fontWeight="bold" fill={assuranceColour}>
            {assuranceLetter}
          </text>
        </svg>
        <span>
          {assurance === null ? 'Assurance: no target to assure against' : `Assurance: ${ASSURANCE_TEXT[assurance]}`}
        </span>
      </li>
    </ul>
  );
}

/**
 * A Making Data Count XmR chart: the series, its mean (solid), process limits (dashed), the target (dotted) and
 * special cause points whose shape as well as colour says improvement, concern or neither. A legend and the two icons
 * with their text equivalents follow the chart.
 */
export function SpcChart({
  title,
  series,
  format,
}: {
  title: string;
  series: SpcSeries;
  format: (n: number) => string;
}) {
  // A series with a suppressed month has no mean, limits or icons to show: joining the months left would hide the
  // small ones (docs/methodology.md, "Comparing PCNs and change over time"). Say so, and where to look instead.
  if (series.notCharted)
    return (
      <p className="text-tremor-default text-tremor-content-strong" data-testid="spc-not-charted">
        {series.notCharted}.
      </p>
    );
  const charted = series.months.filter((m) => typeof series.values[m] === 'number');
  if (charted.length === 0) return null;
  const runChart = series.upperLimit === null && series.median !== undefined && series.median !== null;
  const centre = runChart ? (series.median as number) : series.mean;
  const centreName = runChart ? 'median' : 'mean';
  const value = (m: string) => series.values[m] as number;
  const ys = [
    ...charted.map(value),
    ...[centre, series.upperLimit, series.lowerLimit, series.target].filter((v): v is number => v !== null),
  ];
  const yMin = Math.min(...ys);
  const yMax = Math.max(...ys);
  const pad = (yMax - yMin) * 0.08 || Math.abs(yMax) * 0.1 || 1;
  const [lo, hi] = [yMin - pad, yMax + pad];
  const x = (i: number) => M.left + (i / Math.max(1, series.months.length - 1)) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - ((v - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const xOf = (m: string) => x(series.months.indexOf(m));
  const line = (v: number | null, dash: string | undefined, colour: string, label: string) =>
    v === null ? null : (
      <line
        x1={M.left}
        x2={W - M.right}
        y1={y(v)}
        y2={y(v)}
        stroke={colour}
        strokeDasharray={dash}
        strokeWidth="1.5"
        data-line={label}
      />
    );
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  const special = charted.filter((m) => String(series.rules[m] ?? '') !== '');
  const counts = { improvement: 0, concern: 0, neither: 0 };
  for (const m of special) {
    const kind = kindOf(String(series.rules[m]), series.improvement);
    if (kind !== 'common') counts[kind] += 1;
  }
  const titleId = `spc-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const partial = partialPoints(series, charted);
  const partialOf = new Map(partial);
  const note = partialSpcNote(partial, charted.at(-1), series.variation);
  return (
    <figure className="space-y-2">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${titleId}-title ${titleId}-desc`}
        className="h-auto w-full"
        data-testid="spc-chart"
      >
        <title id={`${titleId}-title`}>{title}</title>
        <desc id={`${titleId}-desc`}>
          {charted.length} months from {charted[0]} to {charted.at(-1)}; {centreName}{' '}
          {centre === null ? 'not available' : format(centre)}
          {series.upperLimit !== null && series.lowerLimit !== null
            ? `; process limits ${format(series.lowerLimit)} to ${format(series.upperLimit)}`
            : '; fewer than 13 months, so no process limits'}
          ; special cause points: {counts.improvement} improvement, {counts.concern} concern, {counts.neither} neither
          {partial.length > 0 &&
            `; partial months: ${partial.map(([m, sent]) => `${longMonthLabel(m)} (${sent})`).join(', ')}`}
          .
        </desc>
        <ValueGrid ticks={ticks} y={y} left={M.left} right={W - M.right} format={format} />
        {[0, Math.floor((series.months.length - 1) / 2), series.months.length - 1].map((i) => (
          <text key={i} x={x(i)} y={H - M.bottom + 16} textAnchor="middle" fontSize="11" fill="#374151">
            {series.months[i]}
          </text>
        ))}
        {line(centre, undefined, '#111827', centreName)}
        {line(series.upperLimit, '6 4', '#425563', 'upper limit')}
        {line(series.lowerLimit, '6 4', '#425563', 'lower limit')}
        {line(series.target, '2 3', '#c8102e', 'target')}
        <path
          d={charted.map((m, i) => `${i === 0 ? 'M' : 'L'}${xOf(m).toFixed(1)},${y(value(m)).toFixed(1)}`).join(' ')}
          fill="none"
          stroke="#768692"
          strokeWidth="1.5"
        />
        {charted.map((m) => {
          const rules = String(series.rules[m] ?? '');
          const kind = kindOf(rules, series.improvement);
          const sent = partialOf.get(m);
          return (
            <g key={m} data-month={m} data-point={kind} data-partial={sent === undefined ? undefined : 'true'}>
              {sent !== undefined && <PartialRing x={xOf(m)} y={y(value(m))} />}
              <Marker kind={kind} x={xOf(m)} y={y(value(m))} />
              <title>{`${m}: ${format(value(m))}${sent === undefined ? '' : ` — partial month: ${sent}`}${rules ? ` — special cause (${kind}): ${rules.replaceAll(':', ' ')}` : ''}`}</title>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul
          className="flex flex-wrap gap-x-4 gap-y-1 text-tremor-label text-tremor-content-emphasis"
          data-testid="spc-legend"
        >
          <li>
            <svg width="24" height="10" aria-hidden="true">
              <line x1="0" x2="24" y1="5" y2="5" stroke="#111827" strokeWidth="1.5" />
            </svg>{' '}
            {runChart ? 'Median (a run chart)' : 'Mean'}
          </li>
          <li>
            <svg width="24" height="10" aria-hidden="true">
              <line x1="0" x2="24" y1="5" y2="5" stroke="#425563" strokeWidth="1.5" strokeDasharray="6 4" />
            </svg>{' '}
            Process limits
          </li>
          {series.target !== null && (
            <li>
              <svg width="24" height="10" aria-hidden="true">
                <line x1="0" x2="24" y1="5" y2="5" stroke="#c8102e" strokeWidth="1.5" strokeDasharray="2 3" />
              </svg>{' '}
              Target
            </li>
          )}
          {partial.length > 0 && (
            <li>
              <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
                <PartialRing x={9} y={9} />
              </svg>{' '}
              Partial month: not every PCN has sent it (ringed)
            </li>
          )}
          {(['improvement', 'concern', 'neither', 'common'] as const).map((kind) => (
            <li key={kind}>
              <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
                <Marker kind={kind} x={7} y={7} size={5} />
              </svg>{' '}
              {kind === 'improvement'
                ? 'Special cause: improvement (square)'
                : kind === 'concern'
                  ? 'Special cause: concern (diamond)'
                  : kind === 'neither'
                    ? 'Special cause: neither better nor worse (triangle)'
                    : 'Common cause (small circle)'}
            </li>
          ))}
        </ul>
      </figcaption>
      {note && (
        <p className="text-tremor-default text-tremor-content-strong" data-testid="spc-partial">
          {note}
        </p>
      )}
      <SpcIcons variation={series.variation} assurance={series.assurance} />
    </figure>
  );
}
