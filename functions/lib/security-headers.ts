/**
 * The security headers every page and API answer of the dashboard carries, in one place: the local server sends them
 * as they are (cli/server.ts), and the deployed dashboard's CloudFront response headers policy is built from them
 * (infra/constructs/dashboard-site.ts), so the browser that holds a user's token is protected the same way in both.
 * A layer (functions/lib): the CLI and the infrastructure may both import it without reaching into a stage.
 */

/**
 * The app's Content-Security-Policy: its own scripts only (no inline script, no eval), inline styles (React and the
 * chart library set style attributes), data: images (Vite inlines small images as data: URLs), no plugins, never framed, no <base> and forms only to itself. It has no
 * connect-src, so fetch() falls back to default-src 'self': the local stack's API is on the same origin.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Browser features the dashboard never uses, turned off for it and anything it could embed. */
export const PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()';

/** The headers, by their lower-case names, as the local server sends them. */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'permissions-policy': PERMISSIONS_POLICY,
} as const satisfies Readonly<Record<string, string>>;

/**
 * The deployed dashboard's Content-Security-Policy: the local one with a connect-src that adds the Cognito hosted
 * sign-in domain, because the app exchanges the sign-in code and refreshes its token with fetch() on that domain's
 * /oauth2/token (dashboard/src/sign-in.ts). The API needs nothing more: CloudFront serves it on the app's own origin
 * (/api/*), which 'self' already covers. Going to the hosted sign-in page is a navigation, which CSP does not govern.
 * @param signInOrigin https://<prefix>.auth.<region>.amazoncognito.com (no path)
 */
export function deployedContentSecurityPolicy(signInOrigin: string): string {
  return `${CONTENT_SECURITY_POLICY}; connect-src 'self' ${signInOrigin}`;
}
