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
 * Packs being stored while the next ones are written. A pack takes about 10 ms of CPU to write, and an S3 PUT tens of
 * milliseconds of waiting: one after the other, some 1,350 PUTs would wait longer than the packs take to write.
 */
export const PUTS_IN_FLIGHT = 16;

/**
 * After a refresh has published its documents: a PDF pack per area, built from those published
 * (disclosure-controlled) documents only, written to metrics/packs/<level>/<code>.pdf. Each pack is stored while the
 * next ones are written (up to PUTS_IN_FLIGHT at once); it returns once every pack is stored, and fails with the
 * first put that failed, once the others in flight have finished.
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
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (const { level, code } of areas) {
    if (failure) break;
    const pdf = await buildPack(level, code, rows, meta, options);
    bytes += pdf.length;
    const put: Promise<void> = store
      .put(packKey(level, code), pdf, { contentType: 'application/pdf' })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(put));
    inFlight.add(put);
    if (inFlight.size >= PUTS_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return { packs: areas.length, bytes, milliseconds: Math.round(performance.now() - started) };
}
