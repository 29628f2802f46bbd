import {
  formatFigure,
  formatLongDate,
  formatMonth,
  NO_DATA_TEXT,
  type PackChart,
  type PackContent,
  type PackTable,
} from './pack-content.ts';
import { documentWithFonts } from './pdf-fonts.ts';
import { drawText, fillWith, setColour, type TextOptions } from './pdf-text.ts';

/**
 * The monthly pack as a PDF, with pdfkit (https://pdfkit.org): A4, the standard Helvetica fonts (nothing embedded),
 * black, white and greys only, so it prints and photocopies in black and white; every chart is followed by its
 * figures as a table (its text equivalent). pdfkit was chosen over pdf-lib (no release since 2021) and jsPDF (its
 * optional dependencies bring an install script): it is maintained, pure JavaScript (no browser), and runs the same
 * in Node and in Lambda. In the Lambda bundle its standard-font metrics are copied beside the bundle
 * (infra/constructs/metrics-refresh.ts), because the Node build loads them with require() at run time
 * (https://github.com/foliojs/pdfkit/issues/1801).
 */
const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN - 20;
const INK = '#000000';
const GREY = '#555555';
const LIGHT = '#e6e6e6';
const AXIS = '#999999';
const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** How a pack is written, beyond its content. */
export interface PackOptions {
  /**
   * The dashboard's address (the refresh function's DASHBOARD_URL, as the regional alerts use it): the pack links to
   * its Methodology page. Without it the pack names the page but cannot link to it (a PDF link needs a full address).
   */
  readonly dashboardUrl?: string;
}

const METHODOLOGY_PAGE = '/methodology';
const METHOD_IS = 'The full method (definitions, cohorts, funnel plots, SPC and disclosure control) is on the';

/**
 * The dashboard's Methodology page as a full http(s) address; without a dashboard address, none. An address that is
 * not a full http(s) one (`localhost:5173`, `dashboard.example`, `javascript:...`) gives no link either, and a warning
 * saying why: the variable only adds a link to the packs, so a mistake in it never fails the refresh.
 */
export function methodologyLink(dashboardUrl: string | undefined): { url?: string; warning?: string } {
  if (dashboardUrl === undefined || dashboardUrl.trim() === '') return {};
  const address = dashboardUrl.trim();
  const base = URL.canParse(address) ? new URL(address) : undefined;
  if (base?.protocol !== 'https:' && base?.protocol !== 'http:')
    return {
      warning: `DASHBOARD_URL ${JSON.stringify(dashboardUrl)} is not a full http(s) address (such as https://dashboard.example.nhs.uk): the PDF packs are written without a link to the Methodology page`,
    };
  return { url: `${base.origin}${base.pathname.replace(/\/+$/, '')}${METHODOLOGY_PAGE}` };
}

export const SUPPRESSION_NOTE =
  '* suppressed: a count of 1 to 7 people, or a figure from which one could be worked out, is not published. - means not published for this period (for example an outcome whose cohort is not yet old enough).';

const METHOD_IN_SHORT = [
  'Figures are counted from the events PCNs upload each month, with corrections applied and retractions removed. A financial year runs from April to March; a year in progress is shown to date.',
  'Referrals per 1,000 registered patients use the PCN list sizes in force. Engagement and connection count referrals made at least 3 months before the data-as-of date; contacts, wellbeing and GP and A&E use count referrals made at least 6 months before, so the latest months have no outcome figures yet.',
  "Funnel plots compare a PCN's rate with England's and its region's, with 99.8% limits widened for the usual spread between PCNs (overdispersion). Month by month, each series is read as a Making Data Count (SPC) chart: special cause variation is a change unlikely to be chance.",
  'Below England level counts of 1 to 7 are suppressed, other counts are rounded to the nearest 5, a staff FTE is shown only for 8 or more people and rounded to the nearest 5 too, and rates come from the rounded figures. England figures are exact.',
];

/** In the pack for readers outside the area (pack-content.ts), whether or not the area has alerts. */
export const ALERTS_WITHHELD =
  "Alerts are shown to the area's own leads only. Your own area's alerts are in its pack and on the dashboard's Trends page.";

const TEXT_HEIGHTS = new Map<string, number>();

class PackWriter {
  readonly doc: PDFKit.PDFDocument;
  private y = MARGIN;

  constructor(content: PackContent) {
    this.doc = documentWithFonts(
      {
        size: 'A4',
        margin: MARGIN,
        bufferPages: true,
        lang: 'en-GB',
        displayTitle: true,
        info: {
          Title: `Social prescribing monthly pack: ${content.area.name}`,
          Author: 'Social prescribing outcomes',
          Subject: `${content.area.name}, data as of ${formatLongDate(content.dataAsOf)}`,
          // Fixed from the refresh, so the same documents make the same pack.
          CreationDate: new Date(content.generatedAt),
          ModDate: new Date(content.generatedAt),
        },
      },
      [REGULAR, BOLD],
    );
  }

  /** The width of a text in a standard font (pdfkit's, remembered per process: pdf-fonts.ts). */
  private widthOf(font: string, size: number, text: string): number {
    return this.doc.font(font).fontSize(size).widthOfString(text);
  }

  /**
   * The height of a text wrapped to a width, in a font and size that becomes the current one. The same notes,
   * headings and labels recur in every pack: each is wrapped once per process (pdfkit's own line wrapper).
   */
  private heightOf(font: string, size: number, text: string, width: number): number {
    this.doc.font(font).fontSize(size);
    const key = `${font}|${size}|${width}|${text}`;
    let height = TEXT_HEIGHTS.get(key);
    if (height === undefined) {
      if (TEXT_HEIGHTS.size >= 5_000) TEXT_HEIGHTS.clear();
      height = this.doc.heightOfString(text, { width });
      TEXT_HEIGHTS.set(key, height);
    }
    return height;
  }

  /** A text in the current font, size and colour (pdfkit's text(), remembered per process: pdf-text.ts). */
  private text(text: string, x: number, y: number, options: TextOptions): void {
    drawText(this.doc, text, x, y, options);
  }

  private ensure(height: number): void {
    if (this.y + height <= BOTTOM) return;
    this.doc.addPage();
    this.y = MARGIN;
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN;
  }

  space(points: number): void {
    this.y += points;
  }

  heading(text: string, size = 14): void {
    const height = this.heightOf(BOLD, size, text, WIDTH);
    this.ensure(height + 40);
    setColour(this.doc, INK);
    this.text(text, MARGIN, this.y, { width: WIDTH });
    this.y += height + 6;
  }

  paragraph(text: string, size = 9.5, font = REGULAR): void {
    const height = this.heightOf(font, size, text, WIDTH);
    this.ensure(height);
    setColour(this.doc, INK);
    this.text(text, MARGIN, this.y, { width: WIDTH });
    this.y += height + 4;
  }

  /** A paragraph ending with a link: the address printed (it is also read on paper) and underlined, and clickable. */
  linkParagraph(text: string, url: string, size = 9.5, font = REGULAR): void {
    const height = this.heightOf(font, size, `${text} ${url}`, WIDTH);
    this.ensure(height);
    this.doc.fillColor(INK).text(`${text} `, MARGIN, this.y, { width: WIDTH, continued: true });
    this.doc.text(url, { link: url, underline: true, continued: false });
    this.y += height + 4;
  }

  /** A table: header row in bold, rows shaded alternately in light grey, cells wrapped to their column. */
  table(table: PackTable, widths: readonly number[], size = 8.5): void {
    const total = widths.reduce((a, b) => a + b, 0);
    const scaled = widths.map((w) => (w / total) * WIDTH);
    // Most cells are one short line: measured by width, and wrapped (the costly part of writing a pack) only if long.
    const cellHeight = (cell: string, width: number, font: string) =>
      this.widthOf(font, size, cell) <= width ? this.doc.currentLineHeight() : this.heightOf(font, size, cell, width);
    const rowHeight = (cells: readonly string[], font: string) => {
      this.doc.font(font).fontSize(size);
      return Math.max(...cells.map((c, i) => cellHeight(c || ' ', (scaled[i] ?? 40) - 6, font))) + 5;
    };
    const drawRow = (cells: readonly string[], font: string, shade: boolean, height = rowHeight(cells, font)) => {
      if (shade) fillWith(this.doc.rect(MARGIN, this.y, WIDTH, height), LIGHT);
      let x = MARGIN;
      this.doc.font(font).fontSize(size);
      setColour(this.doc, INK);
      cells.forEach((cell, i) => {
        const width = scaled[i] ?? 40;
        // Figures line up on the right; the first column (labels) on the left.
        const cellWidth = this.widthOf(font, size, cell);
        const fits = cellWidth <= width - 6;
        const left = i === 0 || !fits ? x + 3 : x + width - 3 - cellWidth;
        // A cell that fits is placed without the line wrapper; a long one wraps within its column.
        if (fits) this.text(cell, left, this.y + 2.5, { lineBreak: false });
        else this.text(cell, left, this.y + 2.5, { width: width - 6, align: i === 0 ? 'left' : 'right' });
        x += width;
      });
      this.y += height;
    };
    const header = () => {
      drawRow(table.columns, BOLD, false);
      this.doc
        .moveTo(MARGIN, this.y)
        .lineTo(MARGIN + WIDTH, this.y)
        .lineWidth(0.7);
      setColour(this.doc, INK, true);
      this.doc.stroke();
    };
    this.ensure(rowHeight(table.columns, BOLD) + rowHeight(table.rows[0] ?? [], REGULAR));
    header();
    table.rows.forEach((row, index) => {
      // Measured once: a new page and its header leave the row's height as it is.
      const height = rowHeight(row, REGULAR);
      if (this.y + height > BOTTOM) {
        this.newPage();
        header();
      }
      drawRow(row, REGULAR, index % 2 === 1, height);
    });
    this.y += 8;
  }

  /** A bar chart of the area's months, in greys; a suppressed month shows * where its bar would be. */
  chart(chart: PackChart): void {
    const height = 110;
    const labelSpace = 14;
    this.ensure(height + labelSpace + 30);
    const values = chart.points.map((p) => p.value).filter((v): v is number => typeof v === 'number');
    const max = niceMaximum(Math.max(0, ...values));
    const axisWidth = 40;
    const left = MARGIN + axisWidth;
    const plotWidth = WIDTH - axisWidth;
    const top = this.y;
    const base = top + height;
    this.doc.font(REGULAR).fontSize(7);
    setColour(this.doc, GREY);
    for (const fraction of [0, 0.5, 1]) {
      const y = base - fraction * height;
      this.doc
        .moveTo(left, y)
        .lineTo(left + plotWidth, y)
        .lineWidth(0.4);
      setColour(this.doc, AXIS, true);
      this.doc.stroke();
      this.text(formatFigure(max * fraction, chart.unit), MARGIN, y - 3.5, {
        width: axisWidth - 4,
        align: 'right',
      });
    }
    const slot = plotWidth / Math.max(1, chart.points.length);
    chart.points.forEach((point, i) => {
      const x = left + i * slot;
      if (typeof point.value === 'number' && max > 0) {
        const barHeight = (Math.max(0, point.value) / max) * height;
        fillWith(this.doc.rect(x + slot * 0.15, base - barHeight, slot * 0.7, barHeight), GREY);
      } else {
        this.doc.font(BOLD).fontSize(9);
        setColour(this.doc, INK);
        this.text(point.value === '*' ? '*' : NO_DATA_TEXT, x, base - 12, { width: slot, align: 'center' });
      }
      this.doc.font(REGULAR).fontSize(6.5);
      setColour(this.doc, INK);
      this.text(formatMonth(point.month), x, base + 3, { width: slot, align: 'center' });
    });
    this.y = base + labelSpace + 6;
  }

  /** Page numbers and the area on every page, written once every page exists (each pack's own: not remembered). */
  footers(content: PackContent): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i += 1) {
      this.doc.switchToPage(i);
      const bottom = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      this.doc.font(REGULAR).fontSize(7.5);
      setColour(this.doc, GREY);
      this.doc.text(
        `Social prescribing monthly pack · ${content.area.name} · data as of ${formatLongDate(content.dataAsOf)} · page ${i + 1} of ${range.count}`,
        MARGIN,
        A4.height - MARGIN + 10,
        { width: WIDTH, align: 'center', lineBreak: false },
      );
      this.doc.page.margins.bottom = bottom;
    }
  }
}

/** The smallest of 1, 2, 2.5 or 5 times a power of ten at or above a value, so axis labels are round. */
export function niceMaximum(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 2.5, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

const LEVEL_NAME = { national: 'England', region: 'Region', icb: 'Integrated care board', pcn: 'Primary care network' };

function cover(writer: PackWriter, content: PackContent): void {
  const { area } = content;
  writer.space(120);
  writer.paragraph('Social prescribing', 16, BOLD);
  writer.paragraph('Monthly pack', 28, BOLD);
  writer.space(20);
  writer.paragraph(area.name, 20, BOLD);
  writer.paragraph(area.level === 'national' ? 'England' : `${LEVEL_NAME[area.level]} ${area.code}`, 12);
  for (const parent of content.areas.slice(1)) {
    if (parent.level !== 'national')
      writer.paragraph(`${LEVEL_NAME[parent.level]}: ${parent.name} (${parent.code})`, 11);
  }
  writer.space(24);
  const period = [
    content.month ? `Latest month: ${formatMonth(content.month, true)}` : null,
    content.financialYear ? `Financial year ${content.financialYear} to date (April to March)` : null,
  ].filter(Boolean);
  for (const line of period) writer.paragraph(line as string, 12);
  writer.paragraph(`Data as of ${formatLongDate(content.dataAsOf)}`, 12, BOLD);
  for (const note of content.englandHeld) writer.paragraph(note, 9.5);
  writer.paragraph(`Published ${formatLongDate(content.generatedAt)}`, 11);
  if (content.coverage) {
    writer.space(10);
    writer.paragraph(content.coverage, 9.5);
  }
  writer.space(30);
  writer.paragraph('Contents', 12, BOLD);
  for (const line of [
    '1. Headline figures against expectations',
    '2. Position on the funnel plots and change month by month',
    '3. Monthly charts, each with its figures',
    '4. What changed since the previous release',
    '5. Data completeness',
    '6. The method in short',
  ])
    writer.paragraph(line, 10);
  writer.space(20);
  writer.paragraph(
    'Every figure below England level is disclosure-controlled: it is exactly the figure the dashboard publishes.',
    9,
  );
}

/** Writes an area's pack and returns the PDF's bytes. */
export function renderPack(content: PackContent, options: PackOptions = {}): Promise<Buffer> {
  const methodology = methodologyLink(options.dashboardUrl).url;
  const writer = new PackWriter(content);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    writer.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    writer.doc.on('end', () => resolve(Buffer.concat(chunks)));
    writer.doc.on('error', reject);
  });
  cover(writer, content);

  writer.newPage();
  const fy = content.financialYear ?? NO_DATA_TEXT;
  writer.heading(`1. Headline figures, financial year ${fy} to date`);
  writer.paragraph(
    content.areas
      .filter((a) => a.level !== 'national')
      .map((a) => `${a.level === 'pcn' ? 'This PCN' : LEVEL_NAME[a.level]}: ${a.name}`)
      .join(' · ') || 'England: every PCN.',
    8.5,
  );
  writer.table(content.headlines, [34, ...content.areas.map(() => 11), 18]);
  if (content.previousHeadlines) {
    writer.paragraph(`Financial year ${content.previousFinancialYear} (ended; months with data below)`, 10, BOLD);
    writer.table(content.previousHeadlines, [34, ...content.areas.map(() => 11), 18]);
  }
  writer.paragraph(SUPPRESSION_NOTE, 7.5);
  for (const note of content.headlineNotes) writer.paragraph(note, 7.5);
  for (const note of content.englandHeld) writer.paragraph(note, 7.5);

  writer.space(6);
  writer.heading('2. Position on the funnel plots and change month by month');
  writer.paragraph(
    content.area.level === 'pcn'
      ? `Funnel plots, financial year ${fy}: is the PCN's rate within the 99.8% limits around England's and its region's (adjusted for overdispersion), above or below them? Month by month: the Making Data Count (SPC) reading of the PCN's series.`
      : `Month by month: the Making Data Count (SPC) reading of the ${LEVEL_NAME[content.area.level].toLowerCase()}'s series. Funnel plots place PCNs, so they are in each PCN's own pack.`,
    8.5,
  );
  writer.table(content.positions, content.area.level === 'pcn' ? [30, 18, 18, 34] : [35, 65]);
  if (content.positionsNote) writer.paragraph(content.positionsNote, 7.5);

  writer.newPage();
  writer.heading('3. Monthly charts');
  writer.paragraph(
    `Bars: ${content.area.name}, the last ${content.charts[0]?.points.length ?? 0} months. The table under each chart gives the same figures and those of the areas above it.`,
    8.5,
  );
  for (const chart of content.charts) {
    writer.heading(chart.title, 11);
    writer.chart(chart);
    writer.table(chart.table, [25, ...content.areas.map(() => 75 / content.areas.length)], 8);
  }

  writer.heading('4. What changed since the previous release');
  if (content.alertsWithheld) writer.paragraph(ALERTS_WITHHELD, 9.5);
  else if (content.alerts.length === 0) writer.paragraph('No new alerts for this area.', 9.5);
  for (const alert of content.alerts) writer.paragraph(`- ${alert}`, 9.5);

  writer.space(6);
  writer.heading('5. Data completeness');
  writer.paragraph(content.completenessNote, 8.5);
  writer.table(content.completeness, content.area.level === 'pcn' ? [60, 40] : [20, 18, 22, 15, 25]);

  writer.heading('6. The method in short');
  for (const line of METHOD_IN_SHORT) writer.paragraph(line, 9);
  if (methodology) writer.linkParagraph(`${METHOD_IS} dashboard's Methodology page:`, methodology, 9, BOLD);
  else writer.paragraph(`${METHOD_IS} dashboard's Methodology page (${METHODOLOGY_PAGE}).`, 9, BOLD);

  writer.footers(content);
  writer.doc.end();
  return done;
}
