// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetaDocument } from '../../functions/contract/metrics.ts';
import { ChartCard } from './components/ChartCard.tsx';
import { RevisionsHeldNote } from './components/RevisionsHeldNote.tsx';
import { englandDataAsOf } from './revisions-held.ts';

afterEach(cleanup);

const held = (over: Partial<NonNullable<MetaDocument['revisions_held']>> = {}) => ({
  revisions_held: {
    figures: 4,
    periods: ['2025-04'],
    fail_closed: false,
    documents: { rollout: { figures: 4, periods: ['2025-04'], fail_closed: false } },
    ...over,
  },
});

describe("England figures holding a revision back (meta.json's revisions_held)", () => {
  it('says which periods and how many figures, and when they will update, with a link to the policy', () => {
    render(<RevisionsHeldNote meta={held()} />);
    const note = screen.getByTestId('revisions-held');
    expect(note.textContent).toBe(
      'England figures for Apr 2025 hold back a revision (4 figures): too few PCNs make them up, or have made the ' +
        'change, for them to be published safely (fewer than 3, or one dominating), so they still show the value ' +
        "published before (a figure not published before shows none yet). They will update when more PCNs' data arrive. How revisions are published",
    );
    expect(screen.getByRole('link', { name: 'How revisions are published' }).getAttribute('href')).toBe(
      '/methodology#revisions-of-england-s-figures-differencing-across-releases',
    );
  });

  it('lists every period held, months and years in words', () => {
    render(<RevisionsHeldNote meta={held({ figures: 1, periods: ['2025-04', '2025-05', '2025/26'] })} />);
    expect(screen.getByTestId('revisions-held').textContent).toMatch(
      /^England figures for Apr 2025, May 2025 and FY 2025\/26 hold back a revision \(1 figure\): /,
    );
  });

  it('a release that failed closed says the refresh could not check what it published, and the rule it waits for', () => {
    render(<RevisionsHeldNote meta={held({ figures: 12, periods: ['2025-04', '2025-05'], fail_closed: true })} />);
    expect(screen.getByTestId('revisions-held').textContent).toBe(
      'England figures for Apr 2025 and May 2025 hold back a revision (12 figures): the last refresh could not ' +
        'check its record of what it had published, so England figures that changed still show the value published ' +
        'before. They will update once 3 or more PCNs have sent data since. How revisions are published',
    );
  });

  it('nothing is shown when no revision is held', () => {
    const { container } = render(<RevisionsHeldNote meta={{}} />);
    expect(container.innerHTML).toBe('');
    expect(screen.queryByTestId('revisions-held')).toBeNull();
  });
});

describe('a card whose document holds England figures back (its summary.revisions_held)', () => {
  const card = (summary: Record<string, unknown> | undefined) =>
    render(
      <ChartCard title="Referrals" how="Referrals received." data={{ state: 'ready', value: { summary } }}>
        <p>figures</p>
      </ChartCard>,
    );

  it("says so beside the card's period", () => {
    card({ revisions_held: { figures: 2, periods: ['2025-05'], fail_closed: false } });
    expect(screen.getByTestId('card-period').textContent).toBe(
      'England figures for May 2025 hold back a revision (2 figures): too few PCNs make them up, or have made the ' +
        'change, for them to be published safely (fewer than 3, or one dominating), so they still show the value ' +
        "published before (a figure not published before shows none yet). They will update when more PCNs' data arrive.",
    );
  });

  it('states a break in its series in one line, before what it holds back', () => {
    card({ series_break: { since_release: '2026-12-05T06:00:00.000Z', reason: 'definition changed' } });
    expect(screen.getByTestId('card-period').textContent).toBe(
      'How all these figures are counted changed in the release of 5 December 2026: figures downloaded before it are ' +
        'not comparable with them.',
    );
    cleanup();
    card({
      series_break: {
        since_release: '2026-12-05T06:00:00.000Z',
        reason: 'definition not recorded before this release',
      },
      revisions_held: { figures: 1, periods: ['2026-10'], fail_closed: false },
    });
    expect(screen.getByTestId('card-period').textContent).toBe(
      'From the release of 5 December 2026 these figures start a new series: figures downloaded before it may not be ' +
        'comparable with them. England figures for Oct 2026 hold back a revision (1 figure): too few PCNs make them up, ' +
        'or have made the change, for them to be published safely (fewer than 3, or one dominating), so they still ' +
        "show the value published before (a figure not published before shows none yet). They will update when more PCNs' data arrive.",
    );
  });

  /** A card of referral sources whose CSV names its columns (the card's words for them). */
  const sourcesCard = (columns: readonly string[] | 'all') =>
    render(
      <ChartCard
        title="Referral sources"
        how="Referrals by source."
        data={{
          state: 'ready',
          value: {
            summary: {
              series_break: { since_release: '2026-12-05T06:00:00.000Z', reason: 'definition changed', columns },
            },
          },
        }}
        csv={{
          fileName: 'sources.csv',
          columns: {
            period: 'Month',
            referrals: 'Referrals',
            source_gp: 'GP referrals',
            source_self: 'Self-referrals',
          },
          rows: [],
        }}
      >
        <p>figures</p>
      </ChartCard>,
    );

  it('names the figures a break changed in the words the card gives them, and says the others are as before (M4)', () => {
    // A new version changed how GP and self-referrals are counted, not referrals: a reader comparing months across it
    // must know that the sources broke and the total did not.
    sourcesCard(['source_gp', 'source_self']);
    expect(screen.getByTestId('card-period').textContent).toBe(
      'How \u201cGP referrals\u201d and \u201cSelf-referrals\u201d are counted changed in the release of 5 December 2026: ' +
        'downloaded before it, those figures are not comparable with the new; the others are counted as before.',
    );
    cleanup();
    // A changed column this card does not show (the document's list size) is counted, not named by its code.
    sourcesCard(['list_size', 'source_self']);
    expect(screen.getByTestId('card-period').textContent).toBe(
      'How \u201cSelf-referrals\u201d and 1 figure not shown here are counted changed in the release of 5 December 2026: ' +
        'downloaded before it, those figures are not comparable with the new; the others are counted as before.',
    );
    cleanup();
    sourcesCard(['list_size']);
    expect(screen.getByTestId('card-period').textContent).toBe(
      'How 1 figure not shown here is counted changed in the release of 5 December 2026: downloaded before it, that ' +
        'figure is not comparable with the new; the others are counted as before.',
    );
  });

  it("says all figures where every column changed ('all'), and nothing where a new version changed none", () => {
    sourcesCard('all');
    expect(screen.getByTestId('card-period').textContent).toBe(
      'How all these figures are counted changed in the release of 5 December 2026: figures downloaded before it are ' +
        'not comparable with them.',
    );
    cleanup();
    sourcesCard([]);
    expect(screen.queryByTestId('card-period')).toBeNull();
  });

  it("says a year held for a cohort gap is an earlier release's part year that stays so, or none (R32-2)", () => {
    const cut = (months: number, date: string) => ({ months, referred_on_or_before: date });
    const held = { figures: 30, periods: ['2025-05', '2025-08', '2025/26'], fail_closed: false };
    const gaps = { periods: ['2025-05', '2025-08', '2025/26'] };
    card({
      revisions_held: held,
      cohort_gaps_held: gaps,
      cohorts: {
        engagement: cut(3, '2025-08-31'),
        outcomes: cut(6, '2025-05-31'),
        held: {
          '2025/26': {
            release: 'r0',
            data_as_of: '2025-10-31',
            engagement: cut(3, '2025-07-31'),
            outcomes: cut(6, '2025-04-30'),
          },
        },
      },
    });
    expect(screen.getByTestId('card-period').textContent).toContain(
      "England's outcome figures for 2025/26 are those of the release with data to 31 October 2025, a part year " +
        '(engagement of referrals made by 31 July 2025, outcomes of those made by 30 April 2025), and stay so: a ' +
        "PCN's data ended (it closed or merged, or its extract stopped)",
    );
    cleanup();
    card({ revisions_held: held, cohort_gaps_held: gaps });
    expect(screen.getByTestId('card-period').textContent).toContain(
      "England's outcome figures for 2025/26 are not published, and stay so: a PCN's data ended",
    );
    cleanup();
    card({ revisions_held: held });
    expect(screen.getByTestId('card-period').textContent).not.toContain('outcome figures');
  });

  it('says nothing when its document holds none', () => {
    card({ cohorts: [] });
    expect(screen.queryByTestId('card-period')).toBeNull();
    card(undefined);
    expect(screen.queryByTestId('card-period')).toBeNull();
  });
});

describe("the header's England date while a new month's England figures are all held", () => {
  it("names how far England's figures go, and nothing when no month is held whole", () => {
    expect(englandDataAsOf({ england_months_held: ['2026-03'], england_data_as_of: '2026-02-28' })).toBe(
      "England's figures to 28 February 2026",
    );
    expect(englandDataAsOf({ england_months_held: ['2026-04'], england_data_as_of: null })).toBe(
      "England's figures not yet published",
    );
    expect(englandDataAsOf({ england_months_held: [] })).toBeNull();
    expect(englandDataAsOf({})).toBeNull();
    expect(englandDataAsOf(undefined)).toBeNull();
  });
});
