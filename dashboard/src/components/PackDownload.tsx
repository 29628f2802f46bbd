import { useState } from 'react';
import type { Level } from '../../../functions/contract/metrics.ts';
import { fetchPack } from '../api.ts';
import { downloadBlob } from '../csv.ts';

/** "Download monthly pack (PDF)" for the area in view: the pack the last refresh wrote for it. */
export function PackDownload({ level, code, name }: { level: Level; code: string; name: string }) {
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const download = async () => {
    setState({ busy: true, error: null });
    try {
      downloadBlob(`social-prescribing-pack-${code}.pdf`, await fetchPack(level, code));
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error: (error as Error).message });
    }
  };
  return (
    <span className="print-hidden inline-flex flex-wrap items-baseline gap-2">
      <button
        type="button"
        className="rounded-tremor-small border border-tremor-border px-2 py-1 text-tremor-label font-medium text-nhs-blue hover:bg-tremor-background-muted focus:outline-none focus-visible:ring-2 focus-visible:ring-nhs-blue"
        onClick={() => void download()}
        disabled={state.busy}
        aria-label={`Download monthly pack (PDF): ${name}`}
        data-testid="pack-download"
      >
        {state.busy ? 'Preparing pack…' : 'Download monthly pack (PDF)'}
      </button>
      {state.error && (
        <span role="alert" className="text-tremor-label text-red-800">
          The pack could not be downloaded: {state.error}.
        </span>
      )}
    </span>
  );
}
