// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartCard } from './components/ChartCard.tsx';
import { anchorOf, METHOD_SECTIONS, methodLink } from './method.ts';
import { methodSections } from './pages/MethodologyPage.tsx';

afterEach(cleanup);
const method = readFileSync(join(import.meta.dirname, '../../docs/methodology.md'), 'utf8');

describe("the cards' links to the method", () => {
  it('every section a card links to is a heading of docs/methodology.md, and the page gives it that anchor', () => {
    const headings = method
      .split('\n')
      .filter((line) => /^#{2,3} /.test(line))
      .map((line) => line.replace(/^#+ /, ''));
    const ids = new Set(methodSections(method).map((s) => s.id));
    for (const heading of Object.values(METHOD_SECTIONS)) {
      expect(headings).toContain(heading);
      expect(ids.has(anchorOf(heading)), heading).toBe(true);
    }
  });

  it('links go to the heading on /methodology', () => {
    expect(methodLink('person')).toBe('/methodology#outcomes-for-the-person-cof-person-contacts-distribution');
    expect(methodLink('funnels')).toBe('/methodology#funnel-plots-is-a-pcn-s-rate-really-different');
    expect(methodLink()).toBe('/methodology');
  });

  it('a card\'s "how this is calculated" links to its section', () => {
    render(
      <ChartCard title="Engagement" how="Engaged of the cohort." data={{ state: 'ready', value: null }} method="person">
        <p>figures</p>
      </ChartCard>,
    );
    expect(screen.getByRole('link', { name: /The full method/ }).getAttribute('href')).toBe(
      '/methodology#outcomes-for-the-person-cof-person-contacts-distribution',
    );
  });

  it('the page keeps every line of the method', () => {
    const shown = methodSections(method)
      .map((s) => `${s.heading}\n${s.body}`)
      .join('');
    expect(shown.replace(/\s+/g, '')).toBe(
      method
        .replace(/^# .*\n/, '')
        .replace(/^#+ /gm, '')
        .replace(/\s+/g, ''),
    );
  });
});
