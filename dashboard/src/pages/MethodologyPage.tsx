import method from '../../../docs/methodology.md?raw';

/** docs/methodology.md, as the dashboard's "how this is calculated" in full. */
export default function MethodologyPage() {
  return (
    <article className="space-y-2">
      <h1 className="text-2xl font-bold text-tremor-content-strong">How the figures are calculated</h1>
      <pre
        className="whitespace-pre-wrap font-sans text-tremor-default text-tremor-content-strong"
        data-testid="method"
      >
        {method.replace(/^# .*\n/, '')}
      </pre>
    </article>
  );
}
