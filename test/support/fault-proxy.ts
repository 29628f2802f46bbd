import { createServer, request } from 'node:http';

export interface FaultRule {
  /** Which requests the rule applies to. */
  readonly match: (method: string, path: string) => boolean;
  /** Answer this status instead of forwarding, for the first `times` matching requests. */
  readonly status: number;
  readonly times: number;
}

/**
 * An HTTP proxy on loopback in front of the real local server that answers chosen requests with an error status
 * (503, 429, 500…) a given number of times and forwards everything else untouched, counting what it saw.
 */
export async function startFaultProxy(targetUrl: string, rules: FaultRule[]) {
  const target = new URL(targetUrl);
  const left = rules.map((rule) => rule.times);
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const line = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const index = rules.findIndex((rule, i) => (left[i] as number) > 0 && rule.match(req.method ?? '', req.url ?? ''));
    if (index !== -1) {
      left[index] = (left[index] as number) - 1;
      seen.push(`${line} -> ${rules[index]?.status} (injected)`);
      req.resume();
      res.writeHead(rules[index]?.status as number, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(JSON.stringify({ error: 'injected fault' }));
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        seen.push(`${line} -> ${answer.statusCode}`);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
