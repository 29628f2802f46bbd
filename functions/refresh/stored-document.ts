/**
 * One reader of the JSON documents a refresh stored before (a published metric document, the alerts base's copies and
 * record): refresh.ts's previous documents and alerts-base.ts read them alike. A stored document that cannot be read
 * (not JSON, or JSON not of its shape: `null`, an array, a document without rows) is read as none, and said: one
 * warning naming its key, never its content (a document holds published figures, and a broken one may hold anything;
 * JSON.parse's own message quotes the text, so it is not repeated either).
 */
export function parsedStored<T extends object>(
  bytes: Uint8Array | undefined,
  key: string,
  shaped: (value: Record<string, unknown>) => boolean = () => true,
): T | undefined {
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    value = undefined;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && shaped(value as Record<string, unknown>))
    return value as T;
  console.warn(`${key}: a stored document that cannot be read (not JSON of its shape); read as none`);
  return undefined;
}

/** A metric document's shape, as far as its readers rely on it: its rows. */
export const hasRows = (value: Record<string, unknown>): boolean => Array.isArray(value.rows);
