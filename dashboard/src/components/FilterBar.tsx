import type { MetaDocument } from '../../../functions/contract/metrics.ts';
import { changeFilter, choices, type Filters } from '../filters.ts';
import { fyLabel } from '../format.ts';
import { LabelledSelect } from './LabelledSelect.tsx';

interface FilterBarProps {
  readonly meta: MetaDocument;
  readonly filters: Filters;
  readonly onChange: (filters: Filters) => void;
}

/** One filter of the bar: its options, and what "all" (the empty choice) is called. */
interface FilterChoice {
  readonly key: keyof Filters;
  readonly label: string;
  readonly options: readonly { code: string; name: string }[];
  readonly all: string;
}

/** One filter: "all" is the empty choice, which the filters hold as null. */
function Choice(
  props: Omit<FilterChoice, 'key'> & {
    id: string;
    value: string | null;
    onChange: (v: string | null) => void;
  },
) {
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
  const years = [...meta.financial_years].reverse().map((fy) => ({ code: fy, name: fyLabel(fy) }));
  const filterChoices: readonly FilterChoice[] = [
    {
      key: 'fy',
      label: 'Financial year',
      options: years,
      all: `Latest (${fyLabel(meta.financial_years.at(-1) ?? '')})`,
    },
    { key: 'region', label: 'Region', options: regions, all: 'All of England' },
    { key: 'icb', label: 'Integrated care board', options: icbs, all: 'All ICBs' },
    { key: 'pcn', label: 'Primary care network', options: pcns, all: 'All PCNs' },
  ];
  return (
    <form
      aria-label="Filters"
      className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(e) => e.preventDefault()}
    >
      {filterChoices.map(({ key, label, options, all }) => (
        <Choice
          key={key}
          id={`filter-${key}`}
          label={label}
          value={filters[key]}
          options={options}
          all={all}
          onChange={(value) => onChange(changeFilter(filters, key, value, meta))}
        />
      ))}
    </form>
  );
}
