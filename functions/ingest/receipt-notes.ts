import { SERVICE_USE_WINDOW_MONTHS } from '../contract/enums.ts';
import type { ReceiptNote } from '../contract/receipt.ts';

/** How many of a note's rows the receipt names by position (the count covers them all). */
export const NOTE_FIRST_ROWS = 20;

/**
 * Service-use rows of a window length other than the one counted (review 27, R27-3): contract v1 accepts
 * window_months 3, 6 or 12, and the rows are kept, but the published before/after figures (cof_system) count
 * SERVICE_USE_WINDOW_MONTHS-month windows only. A PCN whose system sends only 3- or 12-month windows would otherwise
 * see its rows accepted and its service use in no figure, told nowhere.
 */
export const OTHER_WINDOW_LENGTH = 'service_use_window_not_counted';

const OTHER_WINDOW_MESSAGE =
  `service_use rows with a window_months other than ${SERVICE_USE_WINDOW_MONTHS} are accepted and kept, but count ` +
  `in no published figure: the before and after referral figures count ${SERVICE_USE_WINDOW_MONTHS}-month windows ` +
  `only (windows of different lengths are never added together). Send a before and an after row of ` +
  `${SERVICE_USE_WINDOW_MONTHS} months for each service as well`;

/** Accepted rows noted under one code: their count and the first positions. */
class NotedRows {
  count = 0;
  readonly first: number[] = [];

  add(row: number): void {
    this.count += 1;
    if (this.first.length < NOTE_FIRST_ROWS) this.first.push(row);
  }
}

/** The notes an upload's receipt carries, gathered row by row as rows are accepted. */
export class ReceiptNotes {
  private readonly otherWindow = new NotedRows();

  /**
   * An accepted events row's window_months (undefined where the row has none: only service_use rows carry it). The
   * value is never kept, only the row's position.
   */
  windowMonths(value: unknown, row: number): void {
    if (value !== undefined && value !== null && Number(value) !== SERVICE_USE_WINDOW_MONTHS) this.otherWindow.add(row);
  }

  /** The notes, or undefined when there is none (the receipt then has no `notes`). */
  notes(): ReceiptNote[] | undefined {
    const notes: ReceiptNote[] = [];
    const other = this.otherWindow;
    if (other.count > 0) {
      notes.push({
        code: OTHER_WINDOW_LENGTH,
        rows: other.count,
        first_rows: other.first,
        message: OTHER_WINDOW_MESSAGE,
      });
    }
    return notes.length > 0 ? notes : undefined;
  }
}
