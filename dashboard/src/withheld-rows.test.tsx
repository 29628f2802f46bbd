// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartCard } from './components/ChartCard.tsx';
import { withheldRowsNote } from './withheld-rows.ts';

afterEach(cleanup);

/** A document's summary.withheld_below_england (functions/refresh/disclosure.ts, withheldBelowEngland). */
const withheldIn = (...periods: [string, string][]) => ({
  summary: {
    withheld_below_england: {
      reason: 'Withheld for disclosure control, not missing.',
      withheld: periods.map(([period_type, period]) => ({ period_type, period, levels: ['region', 'icb', 'pcn'] })),
    },
  },
});

describe('rows below England withheld for disclosure control (review 7, M8)', () => {
  it('names the periods of the financial year shown, months and the year in words', () => {
    const document = withheldIn(['month', '2025-04'], ['fy', '2025/26'], ['month', '2025-03'], ['month', '2025-04']);
    expect(withheldRowsNote(document, '2025/26')).toBe(
      'Some rows below England for Apr 2025 and FY 2025/26 are withheld for disclosure control, not missing: a ' +
        "figure in them could otherwise be worked out from England's exact figure.",
    );
    // March 2025 is in 2024/25.
    expect(withheldRowsNote(document, '2024/25')).toMatch(/^Some rows below England for Mar 2025 are withheld/);
    expect(withheldRowsNote(document, '2023/24')).toBeNull();
    expect(withheldRowsNote({ summary: {} }, '2025/26')).toBeNull();
    expect(withheldRowsNote(undefined, '2025/26')).toBeNull();
  });

  it("where England's row of a period withheld is held too (england_held), says England's figures there are held, not published (key28's note)", () => {
    const document = {
      summary: {
        withheld_below_england: {
          reason: 'Withheld for disclosure control, not missing.',
          withheld: [
            { period_type: 'month', period: '2024-10', levels: ['region', 'icb', 'pcn'], england_held: true },
            { period_type: 'month', period: '2024-12', levels: ['region', 'icb', 'pcn'] },
          ],
        },
      },
    };
    expect(withheldRowsNote(document, '2024/25')).toBe(
      'Some rows below England for Oct 2024 and Dec 2024 are withheld for disclosure control, not missing: a figure ' +
        "in them could otherwise be worked out from England's exact figure. England's own figures for Oct 2024 are " +
        "held back too (none shown, or an earlier release's) while a revision is checked.",
    );
  });

  it('a card says so in one line under its figures; nothing where no row is withheld', () => {
    const card = (value: unknown) =>
      render(
        <ChartCard title="Referrals" how="Referrals received." data={{ state: 'ready', value }}>
          <p>figures</p>
        </ChartCard>,
      );
    card(withheldIn(['month', '2025-04']));
    expect(screen.getByTestId('card-withheld').textContent).toBe(
      'Some rows below England for Apr 2025 are withheld for disclosure control, not missing: a figure in them could ' +
        "otherwise be worked out from England's exact figure.",
    );
    cleanup();
    card({ summary: { cohorts: [] } });
    expect(screen.queryByTestId('card-withheld')).toBeNull();
  });

  it('ICB and region rows held at an earlier release (R11-1): one more sentence, for the periods of the year shown', () => {
    const held = (rows: string[], failClosed = false) => ({
      summary: { revisions_held_below_england: { rows, fail_closed: failClosed } },
    });
    const note =
      'as at an earlier release: a change made by fewer than 3 of their PCNs is not shown yet, so they need not add up ' +
      'with the PCN rows.';
    expect(withheldRowsNote(held(['icb|QAA|2025-01', 'region|Y56|2024/25', 'icb|QAA|2025-04']), '2024/25')).toBe(
      `Some ICB or region figures for Jan 2025 and FY 2024/25 are ${note}`,
    );
    expect(withheldRowsNote(held(['icb|QAA|2025-01']), '2025/26')).toBeNull();
    // Failing closed (no record of earlier releases) no row is listed: said without periods.
    expect(withheldRowsNote(held([], true), '2025/26')).toBe(`Some ICB or region figures are ${note}`);
  });
});
