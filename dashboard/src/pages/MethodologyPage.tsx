import { useEffect } from 'react';
import { useLocation } from 'react-router-dom';
import method from '../../../docs/methodology.md?raw';
import { anchorOf } from '../method.ts';

/** The method's sections, each under its heading with an anchor the cards link to (method.ts). */
export function methodSections(text: string) {
  const sections: { depth: number; heading: string; id: string; body: string }[] = [];
  for (const part of text.replace(/^# .*\n/, '').split(/^(?=#{2,3} )/m)) {
    const heading = /^(#{2,3}) (.*)\n/.exec(part);
    if (heading) {
      const title = heading[2] as string;
      sections.push({
        depth: (heading[1] as string).length,
        heading: title,
        id: anchorOf(title),
        body: part.slice(heading[0].length),
      });
    } else if (part.trim() !== '') sections.push({ depth: 0, heading: '', id: '', body: part });
  }
  return sections;
}

/** docs/methodology.md, as the dashboard's "how this is calculated" in full. */
export default function MethodologyPage() {
  const { hash } = useLocation();
  useEffect(() => {
    if (hash) document.getElementById(decodeURIComponent(hash.slice(1)))?.scrollIntoView();
  }, [hash]);
  return (
    <article className="space-y-2" data-testid="method">
      <h1 className="text-2xl font-bold text-tremor-content-strong">How the figures are calculated</h1>
      {methodSections(method).map((s) => (
        <section key={s.id || 'intro'} id={s.id || undefined} aria-labelledby={s.id ? `${s.id}-heading` : undefined}>
          {s.depth === 2 && (
            <h2 id={`${s.id}-heading`} className="mt-4 text-xl font-semibold text-tremor-content-strong">
              {s.heading.replaceAll('`', '')}
            </h2>
          )}
          {s.depth === 3 && (
            <h3 id={`${s.id}-heading`} className="mt-3 text-lg font-semibold text-tremor-content-strong">
              {s.heading.replaceAll('`', '')}
            </h3>
          )}
          <pre className="whitespace-pre-wrap font-sans text-tremor-default text-tremor-content-strong">{s.body}</pre>
        </section>
      ))}
    </article>
  );
}
