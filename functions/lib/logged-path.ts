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
  const withheld = findIdentifier(line) ?? findIdentifier(percentDecoded(line));
  return withheld ? '[path withheld]' : line.replace(/[^\x21-\x7e]/g, '?');
}

/** A path as the caller typed it: `%20` a space again (byte by byte, so a malformed escape cannot throw). */
function percentDecoded(line: string): string {
  return line.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
