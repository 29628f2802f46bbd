import { createHash, timingSafeEqual } from 'node:crypto';
import { type HttpResponse, jsonResponse } from '../lib/http-errors.ts';

/**
 * The header CloudFront adds to every request it sends to the HTTP API (infra/constructs/dashboard-site.ts), with a
 * value generated in Secrets Manager; the API's functions answer nothing without it (review 13, R13-6). The API's own
 * execute-api address answers anyone who learns it unless the configuration names an API domain (`apiDomain`: then
 * that endpoint is disabled, "To ensure that clients can access your API only by using a custom domain name, disable
 * the default execute-api endpoint": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-disable-default-endpoint.html),
 * the custom domain itself is public (with `originMutualTls` only CloudFront's certificate is let in), and AWS WAF
 * attaches to REST API stages, not HTTP APIs (the web ACL is on CloudFront: infra/edge-stack.ts). So the check is AWS's "custom
 * header" way (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html,
 * "Identifying requests from CloudFront"): a request without it skipped CloudFront's UK-only fence and headers.
 */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether the request carries the secret: `expected` is its current value and, while it is being changed, the
 * previous one too (review 18, R18-2: the functions take a new value within seconds and CloudFront within minutes, so
 * with one value every API call was refused 403 meanwhile). Compared in constant time over SHA-256 digests, each value
 * every time, so neither the content nor the length of a secret leaks through the time of a refusal. An empty expected
 * value matches nothing.
 */
export function fromCloudFront(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  expected: string | readonly (string | undefined)[],
) {
  const sent = headers?.[ORIGIN_VERIFY_HEADER];
  if (typeof sent !== 'string') return false;
  const sentDigest = digest(sent);
  let matched = false;
  for (const value of typeof expected === 'string' ? [expected] : expected) {
    if (value === undefined || value.length === 0) continue;
    if (timingSafeEqual(sentDigest, digest(value))) matched = true;
  }
  return matched;
}

/** The environment variable of the previous value, set only while the value is being changed (README, deploy). */
export const ORIGIN_VERIFY_PREVIOUS = 'ORIGIN_VERIFY_PREVIOUS';

/** The answer to a request that did not come through CloudFront: 403, and nothing about why. */
export const NOT_THROUGH_CLOUDFRONT: HttpResponse = jsonResponse(403, { error: 'forbidden' });
