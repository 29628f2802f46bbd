import { findIdentifier } from './identifiability-guard.ts';

/**
 * A request's path for a log line (the local server's access log, the Lambdas' CloudWatch logs): query names kept,
 * values dropped (a value could be anything a client typed), and a path that looks like it holds an identifier
 * withheld. Tokens never travel in a URL (sign-in uses the fragment).
 */
export function loggedPath(rawUrl: string): string {
  const [path = '', query] = rawUrl.split('?', 2);
  const names =
    query === undefined
      ? ''
      : `?${query
          .split('&')
          .map((pair) => pair.split('=', 1)[0])
          .join('&')}`;
  const line = `${path}${names}`.slice(0, 160);
  const withheld = decodings(line).some((text) => findIdentifier(text) !== undefined);
  return withheld ? '[path withheld]' : line.replace(/[^\x21-\x7e]/g, '?');
}

/** How many times a path is percent-decoded in turn: `%2520` is a space encoded twice. */
const DECODINGS = 3;

/**
 * The path as sent and as decoded once, twice and three times (until it stops changing): `%20` a space again, `%EF%BC%99`
 * a full-width digit, `%2540` an `@` encoded twice. A malformed escape is decoded byte by byte, so it cannot throw.
 */
function decodings(line: string): string[] {
  const texts = [line];
  for (let i = 0, text = line; i < DECODINGS; i++) {
    let next: string;
    try {
      next = decodeURIComponent(text);
    } catch {
      next = text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    }
    if (next === text) break;
    texts.push(next);
    text = next;
  }
  return texts;
}
