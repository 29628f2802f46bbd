/**
 * The sections of docs/methodology.md (served at /methodology) that the cards' "how this is calculated" links to:
 * each card names its section, and the link goes to that heading. A test checks that every heading here is one of
 * the document's, so a renamed heading cannot leave a card pointing nowhere.
 */
export const METHOD_SECTIONS = {
  periods: 'Periods',
  cohorts: 'Cohorts: outcomes take time',
  rollout: 'Referrals and rollout (`rollout`)',
  person: 'Outcomes for the person (`cof_person`, `contacts_distribution`)',
  wellbeing: 'Wellbeing (`wellbeing`, and the wellbeing columns elsewhere)',
  system: 'Health and care system use (`cof_system`)',
  community: 'Community (`cof_community`)',
  workforce: 'Workforce (`workforce`)',
  equity: 'Equity (`equity`)',
  submissions: 'Data submissions (`data_quality`)',
  disclosure: 'Disclosure control',
  revisions: "Revisions of England's figures (differencing across releases)",
  funnels: "Funnel plots: is a PCN's rate really different?",
  spc: 'Statistical process control: signal or noise?',
  alerts: 'What changed (alerts)',
} as const;
export type MethodSection = keyof typeof METHOD_SECTIONS;

/** The anchor of a heading: lower case, letters and digits, words joined by hyphens. */
export const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export const METHODOLOGY_PATH = '/methodology';

/** The link to a section of the method, or to its top. */
export const methodLink = (section?: MethodSection) =>
  section === undefined ? METHODOLOGY_PATH : `${METHODOLOGY_PATH}#${anchorOf(METHOD_SECTIONS[section])}`;
