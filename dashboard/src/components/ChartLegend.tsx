const SWATCH: Record<string, string> = {
  blue: 'bg-blue-500',
  amber: 'bg-amber-500',
  emerald: 'bg-emerald-500',
  violet: 'bg-violet-500',
};

export interface Series {
  readonly label: string;
  readonly color: keyof typeof SWATCH;
}

/**
 * A Tremor chart's categories and colours from the same series as its ChartLegend, so the key and the lines cannot
 * disagree; Tremor's own legend and animation off.
 */
export function seriesProps(items: readonly Series[]) {
  return {
    categories: items.map((item) => item.label),
    colors: items.map((item) => item.color),
    showLegend: false,
    showAnimation: false,
  };
}

/** The key to a chart's series, as a plain list (Tremor's own legend is not a well-formed list for screen readers). */
export function ChartLegend({ items }: { items: readonly Series[] }) {
  return (
    <ul className="flex flex-wrap gap-4 text-tremor-label text-tremor-content-emphasis" aria-label="Key">
      {items.map((item) => (
        <li key={item.label} className="flex items-center gap-1">
          <span aria-hidden="true" className={`inline-block h-2 w-4 rounded-sm ${SWATCH[item.color]}`} />
          {item.label}
        </li>
      ))}
    </ul>
  );
}
