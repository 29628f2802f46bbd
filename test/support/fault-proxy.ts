import { createServer, request } from 'node:http';

export interface FaultRule {
  /** Which requests the rule applies to. */
  readonly match: (method: string, path: string) => boolean;
  /** Answer this status instead of forwarding… */
  readonly status: number;
  /** …for the first `times` matching requests, */
  readonly times?: number;
  /** …or for this share of them, drawn from a seeded generator (reproducible). */
  readonly share?: number;
  /** The body to answer with. @default {"error":"injected fault"} */
  readonly body?: string;
  /** The Retry-After to answer with. @default '0' */
  readonly retryAfter?: string;
}

/** mulberry32: a small seeded generator, so a fault pattern can be replayed. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** S3's own error bodies, as its SDK parses them. */
export const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/**
 * An HTTP proxy on loopback in front of the real local server that answers chosen requests with an error status
 * (503, 429, 500…) a given number of times and forwards everything else untouched, counting what it saw.
 */
export async function startFaultProxy(targetUrl: string, rules: FaultRule[], seed = 1) {
  const target = new URL(targetUrl);
  const random = seeded(seed);
  const left = rules.map((rule) => rule.times ?? Number.POSITIVE_INFINITY);
  let enabled = true;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const line = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const index = !enabled
      ? -1
      : rules.findIndex(
          (rule, i) =>
            (left[i] as number) > 0 &&
            rule.match(req.method ?? '', req.url ?? '') &&
            (rule.share === undefined || random() < rule.share),
        );
    if (index !== -1) {
      const rule = rules[index] as FaultRule;
      left[index] = (left[index] as number) - 1;
      seen.push(`${line} -> ${rule.status} (injected)`);
      req.resume();
      const xml = rule.body?.startsWith('<?xml');
      res.writeHead(rule.status, {
        'content-type': xml ? 'application/xml' : 'application/json',
        'retry-after': rule.retryAfter ?? '0',
      });
      res.end(rule.body ?? JSON.stringify({ error: 'injected fault' }));
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
    /** Stop injecting (the faults have passed); requests are forwarded untouched from now on. */
    heal: () => {
      enabled = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
