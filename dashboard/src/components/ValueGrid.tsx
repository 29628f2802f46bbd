/** Horizontal grid lines with their value labels, for the hand-drawn SVG charts (funnel plot, SPC chart). */
export function ValueGrid({
  ticks,
  y,
  left,
  right,
  format,
}: {
  readonly ticks: readonly number[];
  readonly y: (value: number) => number;
  readonly left: number;
  readonly right: number;
  readonly format: (value: number) => string;
}) {
  return (
    <>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={right} y1={y(t)} y2={y(t)} stroke="#e5e7eb" />
          <text x={left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#374151">
            {format(t)}
          </text>
        </g>
      ))}
    </>
  );
}
