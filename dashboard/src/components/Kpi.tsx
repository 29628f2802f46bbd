import type { ReactNode } from 'react';

/** A headline figure with its label and a line of context (target, comparison). */
export function Kpi({
  label,
  value,
  context,
  testId,
}: {
  label: string;
  value: ReactNode;
  context?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="flex flex-col gap-1">
      <p className="text-tremor-default text-tremor-content">{label}</p>
      <p className="text-tremor-metric font-semibold text-tremor-content-strong" data-testid={testId}>
        {value}
      </p>
      {context && <p className="text-tremor-label text-tremor-content">{context}</p>}
    </div>
  );
}
