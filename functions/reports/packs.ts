import type { Level, MetaDocument, MetricDocument } from '../contract/metrics.ts';
import { type PackReaders, packKey } from '../lib/keys.ts';
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

/**
 * The packs an area has: one for its own leads and, for England, a region or an ICB, one for the other roles that may
 * read it (a PCN reading its ICB's, a lead another area's), without the documents about the area's own business. A
 * PCN's pack is read by no role outside the PCN (scope.ts: `allows` and `inside` agree on PCNs), so it has one.
 */
export const packReadersOf = (level: Level): readonly PackReaders[] =>
  level === 'pcn' ? ['inside'] : ['inside', 'outside'];

/** One area's pack from the published documents (rows.forReadersOutside() for the pack of readers outside it). */
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
 * (disclosure-controlled) documents only, written to packs/<level>/<code>.pdf of the release (metrics/releases/<release>/), and for England, each region
 * and ICB one for readers outside the area too, <code>.outside.pdf (packReadersOf). Each pack is stored while the
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
  const inside = new PublishedRows(documents.filter((d) => BOARD_DOCUMENTS.includes(d.name)));
  const rows: Record<PackReaders, PublishedRows> = { inside, outside: inside.forReadersOutside() };
  let bytes = 0;
  const packs = packAreas(meta).flatMap(({ level, code }) =>
    packReadersOf(level).map((readers) => ({ level, code, readers })),
  );
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (const { level, code, readers } of packs) {
    if (failure) break;
    const pdf = await buildPack(level, code, rows[readers], meta, options);
    bytes += pdf.length;
    const put: Promise<void> = store
      .put(packKey(level, code, readers), pdf, { contentType: 'application/pdf' })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(put));
    inFlight.add(put);
    if (inFlight.size >= PUTS_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return { packs: packs.length, bytes, milliseconds: Math.round(performance.now() - started) };
}
