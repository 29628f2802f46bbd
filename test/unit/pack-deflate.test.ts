import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { deflatePages } from '../../functions/reports/pack-pdf.ts';

/**
 * The packs' page streams compressed in zlib's thread pool before pdfkit ends the document (functions/reports/
 * pack-pdf.ts, deflatePages): the document must be byte for byte the one pdfkit writes when it compresses each page
 * itself (zlib.deflateSync as it ends the page).
 */
const OPTIONS: PDFKit.PDFDocumentOptions = {
  size: 'A4',
  margin: 50,
  bufferPages: true,
  info: { Title: 'Pages', CreationDate: new Date('2025-10-05T06:00:00Z'), ModDate: new Date('2025-10-05T06:00:00Z') },
};

/** Three pages (the last without content drawn on it but its footer), footers written once every page exists. */
async function write(deflateFirst: boolean): Promise<{ pdf: Buffer; compressedByPdfkit: boolean[] }> {
  const document = new PDFDocument(OPTIONS);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  document.font('Helvetica-Bold').fontSize(14).text('1. Headline figures', 50, 50, { width: 495 });
  document.font('Helvetica').fontSize(8.5);
  for (let row = 0; row < 40; row += 1) document.text(`Row ${row}: 1,234.5`, 60, 80 + row * 12, { lineBreak: false });
  document.rect(50, 700, 495, 20).fill('#e6e6e6');
  document.addPage();
  document.moveTo(50, 100).lineTo(545, 100).lineWidth(0.7).strokeColor('#000000').stroke();
  document.addPage();
  const range = document.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    document.switchToPage(i);
    // As the packs' footers are written: below the bottom margin, which is lifted for them (no page break).
    document.page.margins.bottom = 0;
    document.fontSize(7.5).text(`page ${i + 1} of ${range.count}`, 50, 800, { width: 495, align: 'center' });
    document.page.margins.bottom = 50;
  }
  if (deflateFirst) await deflatePages(document);
  const pages = (document as unknown as { _pageBuffer: { content: { compress: boolean } }[] })._pageBuffer;
  const compressedByPdfkit = pages.map((p) => p.content.compress);
  document.end();
  return { pdf: await done, compressedByPdfkit };
}

describe("the packs' page streams compressed in zlib's pool", () => {
  it('make the same document as pdfkit compressing each page itself', async () => {
    const byPdfkit = await write(false);
    const inPool = await write(true);
    // Without deflatePages pdfkit compresses all three pages; with it, none is left to pdfkit.
    expect(byPdfkit.compressedByPdfkit).toEqual([true, true, true]);
    expect(inPool.compressedByPdfkit).toEqual([false, false, false]);
    expect(byPdfkit.pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.3');
    // Three compressed page streams in each.
    expect(byPdfkit.pdf.toString('latin1').match(/\/Filter \/FlateDecode/g)).toHaveLength(3);
    expect(inPool.pdf.equals(byPdfkit.pdf)).toBe(true);
  });
});
