export interface SelectOption {
  readonly value: string;
  readonly label: string;
  readonly disabled?: boolean;
}

interface LabelledSelectProps<V extends string> {
  readonly id: string;
  readonly label: string;
  readonly value: V;
  readonly options: readonly SelectOption[];
  readonly onChange: (value: V) => void;
  readonly className?: string;
}

/** A native select with its visible label: keyboard and screen-reader friendly without extra wiring. */
export function LabelledSelect<V extends string>({
  id,
  label,
  value,
  options,
  onChange,
  className = '',
}: LabelledSelectProps<V>) {
  return (
    <label
      htmlFor={id}
      className={`flex min-w-0 flex-col gap-1 text-tremor-label font-medium text-tremor-content-emphasis ${className}`}
    >
      {label}
      <select
        id={id}
        className="w-full min-w-0 rounded-tremor-default border border-tremor-border bg-white px-2 py-1.5 text-tremor-default text-tremor-content-strong focus:outline-none focus-visible:ring-2 focus-visible:ring-nhs-blue"
        value={value}
        onChange={(event) => onChange(event.target.value as V)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
