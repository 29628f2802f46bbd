import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** The status line's code, or null when the server closed without answering. */
  readonly status: number | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function parse(received: string): RawAnswer {
  let text = received;
  // Interim answers (100 Continue) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(text) && text.includes('\r\n\r\n'))
    text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!match) return { status: null, headers: {}, body: '' };
  const end = text.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = end === -1 ? '' : text.slice(end + 4);
  return { status: Number(match[1]), headers, body: headers['transfer-encoding'] === 'chunked' ? unchunk(body) : body };
}

function unchunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = Number.parseInt(body.slice(at, lineEnd), 16);
    if (!(size > 0)) return out;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * Sends bytes exactly as given (no client normalising the path or the headers) and reads until the server closes
 * or the timeout passes: for requests a well-behaved client would never make.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks).toString('latin1')));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    socket.write(request);
  });
}

/** A GET with the given request target and headers, closing the connection after the answer. */
export function rawGet(port: number, target: string, headers: Record<string, string> = {}, method = 'GET') {
  const lines = [`${method} ${target} HTTP/1.1`, `host: localhost:${port}`, 'connection: close'];
  for (const [name, value] of Object.entries(headers)) {
    const index = lines.findIndex((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    if (index !== -1) lines.splice(index, 1);
    lines.push(`${name}: ${value}`);
  }
  return rawRequest(port, `${lines.join('\r\n')}\r\n\r\n`);
}

/** An open connection the test writes to bit by bit, to stall an upload halfway. */
export function openSocket(port: number): Promise<{ socket: Socket; answer: Promise<RawAnswer> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => resolve({ socket, answer }));
    const answer = new Promise<RawAnswer>((settle) => {
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        settle(parse(Buffer.concat(chunks).toString('latin1')));
      };
      socket.on('data', (chunk) => {
        chunks.push(chunk);
        // One answer is all these tests wait for: settle once its body (Content-Length) is in.
        const text = Buffer.concat(chunks).toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? Number.NaN);
        if (end !== -1 && (Number.isNaN(length) || text.length - end - 4 >= length)) finish();
      });
      socket.on('close', finish);
      socket.on('error', finish);
    });
    socket.once('error', reject);
  });
}
