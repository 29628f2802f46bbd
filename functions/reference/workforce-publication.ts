import { PCN_CODE_PATTERN } from '../contract/areas.ts';
import type { WorkforceRow } from '../contract/workforce.ts';
import { PublicationError, parsePublishedCsv } from './publication.ts';

/**
 * NHS Digital's "Primary Care Network Workforce" publication, FTE per PCN of the three personalised care roles,
 * with its published header names, and the contract role each column is.
 */
export const PUBLICATION_ROLES = {
  SOCIAL_PRESCRIBING_LINK_WORKER_FTE: 'splw',
  HEALTH_AND_WELLBEING_COACH_FTE: 'hwbc',
  CARE_COORDINATOR_FTE: 'cc',
} as const;

type Column = keyof typeof PUBLICATION_ROLES;
const COLUMNS = ['PCN_CODE', ...(Object.keys(PUBLICATION_ROLES) as Column[])] as const;

/** FTE as published, to 4 decimals. */
const fte = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * The publication as workforce rows of the contract for one month: one row per PCN and role, FTE as published;
 * headcount, accredited training and vacancies, which the publication does not have, left out (empty).
 */
export function readWorkforcePublication(file: string, text: string, month: string): Map<string, WorkforceRow[]> {
  const { rows: published, problems } = parsePublishedCsv(file, text, COLUMNS);
  if (problems.length > 0) throw new PublicationError(problems);

  const byPcn = new Map<string, WorkforceRow[]>();
  const lines = new Map<string, number>();
  published.forEach((row, i) => {
    const line = i + 2;
    const code = (row.PCN_CODE ?? '').trim();
    if (!PCN_CODE_PATTERN.test(code)) {
      problems.push(`${file}, line ${line}, column PCN_CODE: must be U followed by 5 digits`);
      return;
    }
    if (lines.has(code)) {
      problems.push(`${file}, line ${line}, column PCN_CODE: PCN listed twice (first on line ${lines.get(code)})`);
      return;
    }
    lines.set(code, line);
    const rows: WorkforceRow[] = [];
    for (const [column, role] of Object.entries(PUBLICATION_ROLES) as [Column, WorkforceRow['role']][]) {
      const cell = (row[column] ?? '').trim();
      const value = Number(cell);
      if (cell === '' || !Number.isFinite(value) || value < 0 || value > 100)
        problems.push(`${file}, line ${line}, column ${column}: must be a number from 0 to 100`);
      else rows.push({ pcn_code: code, snapshot_month: month, role, fte: fte(value) });
    }
    byPcn.set(code, rows);
  });
  if (problems.length > 0) throw new PublicationError(problems);
  return byPcn;
}
