import type { Figure } from '../../../functions/contract/metrics.ts';
import { formatCount, isSuppressed, SUPPRESSED_EXPLANATION } from '../format.ts';

/** A figure in text; a suppressed one is an asterisk with its explanation, never a zero. */
export function FigureValue({
  value,
  format = formatCount,
}: {
  value: Figure | undefined;
  format?: (v: Figure | undefined) => string;
}) {
  if (isSuppressed(value)) {
    return (
      <abbr title={SUPPRESSED_EXPLANATION} className="no-underline" data-suppressed="true">
        *<span className="sr-only"> (suppressed)</span>
      </abbr>
    );
  }
  return <>{format(value)}</>;
}
