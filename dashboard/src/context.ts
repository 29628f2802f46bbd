import { createContext, useContext } from 'react';
import type { Level, MetaDocument } from '../../functions/contract/metrics.ts';
import type { Filters } from './filters.ts';

export interface DashboardState {
  readonly meta: MetaDocument;
  readonly filters: Filters;
  /** The area every figure is for. */
  readonly scope: { readonly level: Level; readonly code: string; readonly name: string };
  /** The financial year chosen, or the latest. */
  readonly fy: string;
}

export const DashboardContext = createContext<DashboardState | null>(null);

export function useDashboard(): DashboardState {
  const state = useContext(DashboardContext);
  if (state === null) throw new Error('useDashboard outside the dashboard');
  return state;
}

/** The name of an area for headings: England, a region, ICB or PCN. */
export function areaName(meta: MetaDocument, level: Level, code: string): string {
  if (level === 'national') return 'England';
  const list = level === 'region' ? meta.regions : level === 'icb' ? meta.icbs : meta.pcns;
  return list.find((a) => a.code === code)?.name ?? code;
}
