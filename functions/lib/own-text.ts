/**
 * A copy of a text that shares no memory with it. A parser's cell is a slice of its chunk of the file, so a cell kept
 * (a dictionary's entry, a remembered key) would keep the whole chunk alive. V8 flattens a joined text into a string
 * of its own when it is first read: about 90 ns for a 64-character pseudonym, against about 800 ns for a
 * JSON.stringify and JSON.parse round trip, which did the same and was the cost of every new entry of the ingest's
 * dictionaries.
 *
 * The copy is the joined text itself, read once (so flattened), not a slice of it: V8 makes a text of 13 characters
 * or more cut from another a slice of it (a SlicedString), and comparing or hashing a slice against another text goes
 * through V8's runtime, about seven times the cost of comparing two flat texts (150 against 22 ns for two 64-character
 * texts, measured side by side); the ingest compares its kept texts with the row before's and looks them up in its
 * dictionaries on every row. A shorter text is copied whole by any cut, so the cut is its copy.
 */
export function ownText(text: string): string {
  if (text.length < SLICE_MIN_LENGTH) return ` ${text}`.slice(1);
  const joined = text.slice(0, 1) + text.slice(1);
  // Reading a character flattens the joined text: it then holds a string of its own, and the slices are let go.
  joined.charCodeAt(0);
  return joined;
}

/** V8's shortest slice (SlicedString::kMinLength): a shorter cut is a copy, and a shorter join is a flat text. */
const SLICE_MIN_LENGTH = 13;
