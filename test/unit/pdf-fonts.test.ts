import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { documentWithFonts } from '../../functions/reports/pdf-fonts.ts';

/**
 * The packs' fonts (functions/reports/pdf-fonts.ts) share pdfkit's standard-font metrics between documents and
 * remember each text's width and encoding: a document written with them must be byte for byte the one pdfkit writes
 * on its own, for every way the packs place text (kerned pairs, wrapped paragraphs, alignment, links, both fonts).
 */
const OPTIONS: PDFKit.PDFDocumentOptions = {
  size: 'A4',
  margin: 50,
  info: { Title: 'Fonts', CreationDate: new Date('2025-10-05T06:00:00Z'), ModDate: new Date('2025-10-05T06:00:00Z') },
};

function write(document: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
    const long = 'AVAST! To Ye Wally: "Yes," LT Av. We figure 1,234.5% of referrals; -16.3% fewer visits. '.repeat(4);
    document.font('Helvetica').fontSize(9.5).text(long, 50, 60, { width: 495 });
    document.moveDown();
    const height = document.font('Helvetica-Bold').fontSize(14).heightOfString(long, { width: 200 });
    document.text(`Height ${height}`, { width: 300, align: 'right' });
    document.font('Helvetica').fontSize(7).text('Sep 2025', 100, 400, { width: 40, align: 'center' });
    document.text('12.5%', 300, 400, { lineBreak: false });
    document.addPage();
    document.font('Helvetica-Bold').fontSize(9).text('The method is on the ', 50, 50, { width: 495, continued: true });
    document.text('https://dashboard.example.nhs.uk/methodology', { link: 'https://x.example/', underline: true });
    document.font('Helvetica').text(`Width ${document.widthOfString('WAVY Tw')}`, 50, 200, { lineBreak: false });
    // Characters WinAnsi maps (’ – · € é), one it has not (a Greek letter, an emoji's two UTF-16 units) and kerned
    // pairs at a text's end: each text measured and encoded as pdfkit does, glyph by glyph.
    const unusual = 'PCN’s – Sep · €5 café Ω 🙂 AV. Yo, T. LT';
    document.fontSize(8).text(unusual, 50, 300, { width: 120, align: 'right' });
    document
      .font('Helvetica-Bold')
      .text(`${unusual} ${document.widthOfString(unusual)}`, 50, 400, { lineBreak: false });
    document.end();
  });
}

describe('the packs’ shared standard fonts', () => {
  it('write the same bytes as pdfkit on its own, in a first document and in a later one', async () => {
    const plain = await write(new PDFDocument(OPTIONS));
    const first = await write(documentWithFonts(OPTIONS, ['Helvetica', 'Helvetica-Bold']));
    const later = await write(documentWithFonts(OPTIONS, ['Helvetica', 'Helvetica-Bold']));
    expect(plain.subarray(0, 8).toString('latin1')).toBe('%PDF-1.3');
    expect(first.equals(plain)).toBe(true);
    expect(later.equals(plain)).toBe(true);
  });

  it('name the fonts as pdfkit does on first use (/F1 the default, /F2 the next), each document its own objects', async () => {
    const document = documentWithFonts(OPTIONS, ['Helvetica', 'Helvetica-Bold']);
    const other = documentWithFonts(OPTIONS, ['Helvetica', 'Helvetica-Bold']);
    const fontOf = (d: PDFKit.PDFDocument) =>
      (d as unknown as { _font: { id: string; name: string; document: unknown } })._font;
    expect([fontOf(document).id, fontOf(document).name]).toEqual(['F1', 'Helvetica']);
    document.font('Helvetica-Bold');
    expect([fontOf(document).id, fontOf(document).name]).toEqual(['F2', 'Helvetica-Bold']);
    expect(fontOf(document).document).toBe(document);
    other.font('Helvetica-Bold');
    expect(fontOf(other)).not.toBe(fontOf(document));
  });
});
