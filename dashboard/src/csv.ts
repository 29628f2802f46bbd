import { csvText } from '../../functions/lib/csv.ts';

/** The CSV a chart offers for download: exactly the rows and columns it shows, suppressed figures as *. */
export function toCsv(columns: Readonly<Record<string, string>>, rows: readonly Record<string, unknown>[]): string {
  const keys = Object.keys(columns);
  return csvText(
    Object.values(columns),
    rows.map((row) => keys.map((key) => row[key])),
  );
}

export function downloadCsv(fileName: string, text: string): void {
  downloadBlob(fileName, new Blob([text], { type: 'text/csv;charset=utf-8' }));
}

/** Saves a file the page holds (a CSV, a PDF pack) under a name. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
