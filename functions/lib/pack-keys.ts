import type { Level } from '../contract/metrics.ts';

/**
 * Where an area's monthly PDF pack is stored: beside the metrics documents (the refresh writes metrics/, the API reads
 * it), one per area. Written by functions/reports/, served by functions/api/.
 */
export const PACK_PREFIX = 'metrics/packs/';
export const packKey = (level: Level, code: string) => `${PACK_PREFIX}${level}/${code}.pdf`;
