import PDFDocument from 'pdfkit';
import { describe, expect, it, vi } from 'vitest';
import { documentWithFonts } from '../../functions/reports/pdf-fonts.ts';
import { drawText, fillWith, setColour, type TextOptions } from '../../functions/reports/pdf-text.ts';

/**
 * The packs' remembered texts (functions/reports/pdf-text.ts): pdfkit lays a text out once per process, and a later
 * text with the same key is written as the bytes pdfkit wrote the first time. A document written so must be byte for
 * byte the one pdfkit writes on its own, for every way the packs place text, in a first document and in later ones
 * whose texts are all remembered (pdfkit's own text() is then not called at all).
 */
const OPTIONS: PDFKit.PDFDocumentOptions = {
  size: 'A4',
  margin: 50,
  info: { Title: 'Texts', CreationDate: new Date('2025-10-05T06:00:00Z'), ModDate: new Date('2025-10-05T06:00:00Z') },
};
const LONG = 'Engagement and connection count referrals made at least 3 months before the data-as-of date; '.repeat(3);

type Draw = (document: PDFKit.PDFDocument, text: string, x: number, y: number, options: TextOptions) => void;
const byPdfkit: Draw = (document, text, x, y, options) => void document.text(text, x, y, options);

/** The packs' kinds of text (a unique text per call keeps none of this test's texts from an earlier test). */
function write(document: PDFKit.PDFDocument, draw: Draw, tag: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
    // A page whose first text is remembered: the font is still in the page's resources.
    document.font('Helvetica-Bold').fontSize(14).fillColor('#000000');
    draw(document, `${tag} 1. Headline figures`, 50, 50, { width: 495 });
    document.font('Helvetica').fontSize(9.5);
    draw(document, `${tag} ${LONG}`, 50, 80, { width: 495 });
    document.fontSize(8.5);
    draw(document, 'Referrals per 1,000 registered patients', 53, 200, { lineBreak: false });
    draw(document, '1,234.5', 480.25, 200, { lineBreak: false });
    draw(document, 'AVAST! Wally: "Yes," -16.3% fewer visits', 300, 220, { width: 60, align: 'right' });
    document.fontSize(6.5).fillColor('#555555');
    draw(document, 'Sep 2025', 90, 400, { width: 37.9, align: 'center' });
    document.addPage();
    document.font('Helvetica-Bold').fontSize(9);
    draw(document, '*', 90, 60, { width: 37.9, align: 'center' });
    document.font('Helvetica').fontSize(8.5);
    draw(document, '1,234.5', 480.25, 200, { lineBreak: false });
    draw(document, `${tag} after`, document.x, 230, { lineBreak: false });
    document.end();
  });
}

describe('the packs’ remembered texts', () => {
  it('write the same bytes as pdfkit on its own, and a later document without laying any text out again', async () => {
    const fonts = ['Helvetica', 'Helvetica-Bold'] as const;
    const plain = await write(new PDFDocument(OPTIONS), byPdfkit, 'A');
    const first = await write(documentWithFonts(OPTIONS, [...fonts]), drawText, 'A');
    const later = documentWithFonts(OPTIONS, [...fonts]);
    const laidOut = vi.spyOn(later, 'text');
    const again = await write(later, drawText, 'A');
    expect(plain.subarray(0, 8).toString('latin1')).toBe('%PDF-1.3');
    expect(first.equals(plain)).toBe(true);
    expect(again.equals(plain)).toBe(true);
    expect(laidOut).not.toHaveBeenCalled();
  });

  it('leaves the position where pdfkit leaves it (after a one-line text, at its end)', () => {
    const document = documentWithFonts(OPTIONS, ['Helvetica']).fontSize(10);
    const width = document.widthOfString('Remembered position');
    for (let i = 0; i < 2; i += 1) {
      drawText(document, 'Remembered position', 100, 300, { lineBreak: false });
      expect([document.x, document.y]).toEqual([100 + width, 300]);
    }
  });

  it('does not remember a text that went on to a new page, and writes it as pdfkit does', async () => {
    const overflowing = (document: PDFKit.PDFDocument, draw: Draw) => {
      const chunks: Buffer[] = [];
      return new Promise<Buffer>((resolve) => {
        document.on('data', (chunk: Buffer) => chunks.push(chunk));
        document.on('end', () => resolve(Buffer.concat(chunks)));
        document.font('Helvetica').fontSize(9.5);
        draw(document, LONG, 50, 760, { width: 495 });
        document.end();
      });
    };
    const plain = await overflowing(new PDFDocument(OPTIONS), byPdfkit);
    expect(await overflowing(documentWithFonts(OPTIONS, ['Helvetica']), drawText)).toEqual(plain);
    const later = documentWithFonts(OPTIONS, ['Helvetica']);
    const laidOut = vi.spyOn(later, 'text');
    expect(await overflowing(later, drawText)).toEqual(plain);
    expect(laidOut).toHaveBeenCalledTimes(1);
    expect(plain.toString('latin1').match(/\/Type \/Page\n/g)).toHaveLength(2);
  });

  it('tells apart the same text at the same height drawn at another x, width or alignment, in another size or font', async () => {
    const texts = (document: PDFKit.PDFDocument, draw: Draw) => {
      const chunks: Buffer[] = [];
      return new Promise<Buffer>((resolve) => {
        document.on('data', (chunk: Buffer) => chunks.push(chunk));
        document.on('end', () => resolve(Buffer.concat(chunks)));
        document.font('Helvetica').fontSize(8.5);
        // Twice over: the second time every one of them is remembered, each its own.
        for (let round = 0; round < 2; round += 1) {
          draw(document, 'C 12.5', 300, 500, { lineBreak: false });
          draw(document, 'C 12.5', 360, 500, { lineBreak: false });
          draw(document, 'C 12.5', 300, 500, { width: 60, align: 'right' });
          draw(document, 'C 12.5', 300, 500, { width: 60, align: 'center' });
          draw(document, 'C 12.5', 300, 500, { width: 80, align: 'center' });
          document.fontSize(6.5);
          draw(document, 'C 12.5', 300, 500, { lineBreak: false });
          document.font('Helvetica-Bold');
          draw(document, 'C 12.5', 300, 500, { lineBreak: false });
          document.font('Helvetica').fontSize(8.5);
        }
        document.end();
      });
    };
    const plain = await texts(new PDFDocument(OPTIONS), byPdfkit);
    const later = documentWithFonts(OPTIONS, ['Helvetica', 'Helvetica-Bold']);
    await texts(documentWithFonts(OPTIONS, ['Helvetica', 'Helvetica-Bold']), drawText);
    const laidOut = vi.spyOn(later, 'text');
    expect(await texts(later, drawText)).toEqual(plain);
    // Seven texts, each remembered by the first document: the later one lays none of them out.
    expect(laidOut).not.toHaveBeenCalled();
  });

  it('writes a one-line text placed without a width at another height as pdfkit does, without laying it out again', async () => {
    // A table's cells: the same texts in the same columns, a table lower down the page; heights whose y pdfkit rounds.
    const heights = [200, 317.45, 523.1234567, 700.0000004, 88.25];
    const cells = (document: PDFKit.PDFDocument, draw: Draw) => {
      const chunks: Buffer[] = [];
      return new Promise<Buffer>((resolve) => {
        document.on('data', (chunk: Buffer) => chunks.push(chunk));
        document.on('end', () => resolve(Buffer.concat(chunks)));
        for (const y of heights) {
          document.font('Helvetica').fontSize(8.5);
          draw(document, 'H 1,234.5', 480.25, y, { lineBreak: false });
          draw(document, 'H *', 300, y, { lineBreak: false });
          document.font('Helvetica-Bold').fontSize(8);
          draw(document, 'H Referrals per 1,000 registered patients’ AV', 53, y, { lineBreak: false });
          draw(document, 'H after', document.x, y + 10, { lineBreak: false });
        }
        document.end();
      });
    };
    const plain = await cells(new PDFDocument(OPTIONS), byPdfkit);
    const document = documentWithFonts(OPTIONS, ['Helvetica', 'Helvetica-Bold']);
    const laidOut = vi.spyOn(document, 'text');
    expect(await cells(document, drawText)).toEqual(plain);
    // Each of the four texts laid out at its first height only ('H after' at the end of the one before, the same x).
    expect(laidOut).toHaveBeenCalledTimes(4);
  });

  it('sets fill and stroke colours and fills as pdfkit does, a later document without pdfkit parsing any colour', async () => {
    type Colours = {
      fill: (document: PDFKit.PDFDocument, colour: string) => void;
      stroke: (document: PDFKit.PDFDocument, colour: string) => void;
      fillWith: (document: PDFKit.PDFDocument, colour: string) => void;
    };
    const pdfkit: Colours = {
      fill: (document, colour) => void document.fillColor(colour),
      stroke: (document, colour) => void document.strokeColor(colour),
      fillWith: (document, colour) => void document.fill(colour),
    };
    const remembered: Colours = {
      fill: (document, colour) => setColour(document, colour),
      stroke: (document, colour) => setColour(document, colour, true),
      fillWith,
    };
    const shapes = (document: PDFKit.PDFDocument, colours: Colours) => {
      const chunks: Buffer[] = [];
      const fillColours: unknown[] = [];
      return new Promise<{ pdf: Buffer; fillColours: unknown[] }>((resolve) => {
        document.on('data', (chunk: Buffer) => chunks.push(chunk));
        document.on('end', () => resolve({ pdf: Buffer.concat(chunks), fillColours }));
        for (const colour of ['#000000', '#555555', '#e6e6e6', '#000000']) {
          colours.fillWith(document.rect(50, 60, 200, 12), colour);
          colours.fill(document, colour);
          fillColours.push((document as unknown as { _fillColor: unknown })._fillColor);
          document.text('Kept colour', 60, 100, { lineBreak: false });
          document.moveTo(50, 120).lineTo(300, 120).lineWidth(0.4);
          colours.stroke(document, colour === '#e6e6e6' ? '#999999' : colour);
          document.stroke();
          if (colour === '#555555') document.addPage();
        }
        document.end();
      });
    };
    // Uncompressed, so that the colours' operators can be read in the bytes.
    const options = { ...OPTIONS, compress: false };
    const plain = await shapes(new PDFDocument(options), pdfkit);
    const first = await shapes(new PDFDocument(options), remembered);
    const later = new PDFDocument(options);
    const parsed = vi.spyOn(later, '_normalizeColor' as never);
    const again = await shapes(later, remembered);
    expect(plain.pdf.toString('latin1')).toContain('0.3333333333333333 0.3333333333333333 0.3333333333333333 scn');
    expect(first.pdf.equals(plain.pdf)).toBe(true);
    expect(again.pdf.equals(plain.pdf)).toBe(true);
    expect(again.fillColours).toEqual(plain.fillColours);
    expect(parsed).not.toHaveBeenCalled();
  });
});
