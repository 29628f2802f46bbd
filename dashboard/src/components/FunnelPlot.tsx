import type { LimitPoint } from '../../../functions/contract/summaries.ts';
import { ValueGrid } from './ValueGrid.tsx';
export interface FunnelPoint {
  readonly code: string;
  readonly name: string;
  /** The denominator: registered patients, referrals in the cohort or referrals measured. */
  readonly n: number;
  /** The rate as a proportion (0-1). */
  readonly p: number;
  readonly position: 'high' | 'low' | 'within' | null;
}

/** Funnel limits at one size, as the refresh publishes them. */
export type { LimitPoint } from '../../../functions/contract/summaries.ts';

interface FunnelPlotProps {
  readonly title: string;
  readonly points: readonly FunnelPoint[];
  readonly limits: readonly LimitPoint[];
  readonly target: number;
  readonly per: number;
  readonly xLabel: string;
  readonly yLabel: string;
}

const W = 640;
const H = 360;
const M = { left: 64, right: 16, top: 16, bottom: 48 };

/**
 * A funnel plot: each PCN's rate against its size, with 95% (dashed) and 99.8% (solid) control limits around the
 * comparator rate. Outliers are drawn as larger triangles pointing up or down, so colour is not the only sign.
 */
export function FunnelPlot({ title, points, limits, target, per, xLabel, yLabel }: FunnelPlotProps) {
  if (limits.length === 0) return null;
  const nMax = Math.max(...points.map((p) => p.n), ...limits.map((l) => l.n));
  const nMin = Math.min(...points.map((p) => p.n), ...limits.map((l) => l.n));
  const ys = [...points.map((p) => p.p), ...limits.flatMap((l) => [l.lower998, l.upper998])];
  const yMin = Math.max(0, Math.min(...ys) * 0.95);
  const yMax = Math.max(...ys) * 1.05 || 1;
  const x = (n: number) =>
    M.left + ((Math.log(n) - Math.log(nMin)) / (Math.log(nMax) - Math.log(nMin) || 1)) * (W - M.left - M.right);
  const y = (p: number) => H - M.bottom - ((p - yMin) / (yMax - yMin || 1)) * (H - M.top - M.bottom);
  const line = (key: keyof Omit<LimitPoint, 'n'>) =>
    limits.map((l, i) => `${i === 0 ? 'M' : 'L'}${x(l.n).toFixed(1)},${y(l[key]).toFixed(1)}`).join(' ');
  const ticks = Array.from({ length: 5 }, (_, i) => yMin + ((yMax - yMin) * i) / 4);
  const nTicks = Array.from({ length: 4 }, (_, i) =>
    Math.round(Math.exp(Math.log(nMin) + ((Math.log(nMax) - Math.log(nMin)) * i) / 3)),
  );
  const fmt = (p: number) => (p * per).toLocaleString('en-GB', { maximumFractionDigits: 1 });
  return (
    <figure>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby="funnel-title funnel-desc"
        className="h-auto w-full"
        data-testid="funnel-plot"
      >
        <title id="funnel-title">{title}</title>
        <desc id="funnel-desc">
          {points.length} PCNs; {points.filter((p) => p.position === 'high').length} above and{' '}
          {points.filter((p) => p.position === 'low').length} below the 99.8% limits. The table beside lists every PCN.
        </desc>
        <ValueGrid ticks={ticks} y={y} left={M.left} right={W - M.right} format={fmt} />
        {nTicks.map((n) => (
          <text key={n} x={x(n)} y={H - M.bottom + 16} textAnchor="middle" fontSize="11" fill="#374151">
            {n.toLocaleString('en-GB')}
          </text>
        ))}
        <text x={(W + M.left) / 2} y={H - 8} textAnchor="middle" fontSize="12" fill="#111827">
          {xLabel}
        </text>
        <text
          transform={`translate(14 ${(H - M.bottom + M.top) / 2}) rotate(-90)`}
          textAnchor="middle"
          fontSize="12"
          fill="#111827"
        >
          {yLabel}
        </text>
        <line x1={M.left} x2={W - M.right} y1={y(target)} y2={y(target)} stroke="#111827" strokeWidth="1.5" />
        <path d={line('lower95')} fill="none" stroke="#005eb8" strokeDasharray="5 4" />
        <path d={line('upper95')} fill="none" stroke="#005eb8" strokeDasharray="5 4" />
        <path d={line('lower998')} fill="none" stroke="#003087" strokeWidth="1.5" />
        <path d={line('upper998')} fill="none" stroke="#003087" strokeWidth="1.5" />
        {points.map((p) => {
          const cx = x(p.n);
          const cy = y(p.p);
          const label = `${p.name}: ${fmt(p.p)} from ${p.n.toLocaleString('en-GB')}${p.position === 'high' ? ', above the 99.8% limit' : p.position === 'low' ? ', below the 99.8% limit' : ''}`;
          return p.position === 'high' || p.position === 'low' ? (
            <path
              key={p.code}
              d={
                p.position === 'high'
                  ? `M${cx},${cy - 6} L${cx + 6},${cy + 5} L${cx - 6},${cy + 5} Z`
                  : `M${cx},${cy + 6} L${cx + 6},${cy - 5} L${cx - 6},${cy - 5} Z`
              }
              fill="#d5281b"
              data-pcn={p.code}
              data-outlier={p.position}
            >
              <title>{label}</title>
            </path>
          ) : (
            <circle key={p.code} cx={cx} cy={cy} r="4" fill="#005eb8" fillOpacity="0.7" data-pcn={p.code}>
              <title>{label}</title>
            </circle>
          );
        })}
      </svg>
      <figcaption className="mt-1 text-tremor-label text-tremor-content">
        Solid black line: the comparator rate. Dashed lines: 95% limits; solid blue: 99.8% limits. Red triangles:
        outside the 99.8% limits (pointing up if above, down if below). Hover a point for the PCN.
      </figcaption>
    </figure>
  );
}
