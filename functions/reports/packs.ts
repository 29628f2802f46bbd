import type { Level, MetaDocument, MetricDocument } from '../contract/metrics.ts';
import { packKey } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { BOARD_DOCUMENTS } from './board-measures.ts';
import { PublishedRows, packContent } from './pack-content.ts';
import { type PackOptions, renderPack } from './pack-pdf.ts';

export interface PacksWritten {
  readonly packs: number;
  readonly bytes: number;
  readonly milliseconds: number;
}

/** Every area with a pack: England, each region, ICB and PCN of the geography the documents were published with. */
export function packAreas(meta: Pick<MetaDocument, 'regions' | 'icbs' | 'pcns'>): { level: Level; code: string }[] {
  return [
    { level: 'national', code: 'ENG' },
    ...meta.regions.map((a) => ({ level: 'region' as const, code: a.code })),
    ...meta.icbs.map((a) => ({ level: 'icb' as const, code: a.code })),
    ...meta.pcns.map((a) => ({ level: 'pcn' as const, code: a.code })),
  ];
}

/** One area's pack from the published documents. */
export function buildPack(
  level: Level,
  code: string,
  rows: PublishedRows,
  meta: MetaDocument,
  options: PackOptions = {},
): Promise<Buffer> {
  return renderPack(packContent(level, code, rows, meta), options);
}

/**
 * After a refresh has published its documents: a PDF pack per area, built from those published
 * (disclosure-controlled) documents only, written to metrics/packs/<level>/<code>.pdf.
 */
export async function writePacks(
  store: ObjectStore,
  documents: readonly MetricDocument[],
  meta: MetaDocument,
  options: PackOptions = {},
): Promise<PacksWritten> {
  const started = performance.now();
  const rows = new PublishedRows(documents.filter((d) => BOARD_DOCUMENTS.includes(d.name)));
  let bytes = 0;
  const areas = packAreas(meta);
  for (const { level, code } of areas) {
    const pdf = await buildPack(level, code, rows, meta, options);
    bytes += pdf.length;
    await store.put(packKey(level, code), pdf, { contentType: 'application/pdf' });
  }
  return { packs: areas.length, bytes, milliseconds: Math.round(performance.now() - started) };
}
