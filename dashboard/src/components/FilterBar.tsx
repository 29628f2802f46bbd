import type { MetaDocument } from '../../../functions/contract/metrics.ts';
import { changeFilter, choices, type Filters } from '../filters.ts';
import { fyLabel } from '../format.ts';
import { LabelledSelect } from './LabelledSelect.tsx';

interface FilterBarProps {
  readonly meta: MetaDocument;
  readonly filters: Filters;
  readonly onChange: (filters: Filters) => void;
}

/** One filter: "all" is the empty choice, which the filters hold as null. */
function Choice(props: {
  id: string;
  label: string;
  value: string | null;
  options: readonly { code: string; name: string }[];
  all: string;
  onChange: (v: string | null) => void;
}) {
  return (
    <LabelledSelect
      id={props.id}
      label={props.label}
      value={props.value ?? ''}
      options={[{ value: '', label: props.all }, ...props.options.map((o) => ({ value: o.code, label: o.name }))]}
      onChange={(v) => props.onChange(v === '' ? null : v)}
    />
  );
}

/** Financial year, region, ICB and PCN: every figure on every page follows these. */
export function FilterBar({ meta, filters, onChange }: FilterBarProps) {
  const { regions, icbs, pcns } = choices(filters, meta);
  const set = (key: keyof Filters) => (value: string | null) => onChange(changeFilter(filters, key, value, meta));
  const years = [...meta.financial_years].reverse().map((fy) => ({ code: fy, name: fyLabel(fy) }));
  return (
    <form
      aria-label="Filters"
      className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(e) => e.preventDefault()}
    >
      <Choice
        id="filter-fy"
        label="Financial year"
        value={filters.fy}
        options={years}
        all={`Latest (${fyLabel(meta.financial_years.at(-1) ?? '')})`}
        onChange={set('fy')}
      />
      <Choice
        id="filter-region"
        label="Region"
        value={filters.region}
        options={regions}
        all="All of England"
        onChange={set('region')}
      />
      <Choice
        id="filter-icb"
        label="Integrated care board"
        value={filters.icb}
        options={icbs}
        all="All ICBs"
        onChange={set('icb')}
      />
      <Choice
        id="filter-pcn"
        label="Primary care network"
        value={filters.pcn}
        options={pcns}
        all="All PCNs"
        onChange={set('pcn')}
      />
    </form>
  );
}
