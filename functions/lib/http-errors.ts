/**
 * Errors that carry their HTTP status, and the one mapping from an error to a response, after middy's
 * http-error-handler (https://middy.js.org/docs/middlewares/http-error-handler/): an HttpError is answered with its
 * status and its own message (written to be shown: never a value from the request); any other error is the caller's
 * to log and answer 500 without detail. The local server, the API Lambda and the upload Lambda all answer through
 * here, so they answer alike.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, message);
  }
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

/** What a client is told when the fault is ours: nothing about it. */
export const INTERNAL_ERROR = 'internal error';

/**
 * The response for an error that carries its status: {"error": message}. Undefined for any other error, which the
 * caller logs and answers as a fault of its own (500, or the Lambda's failure).
 */
export function errorResponse(error: unknown): HttpResponse | undefined {
  if (!(error instanceof HttpError)) return undefined;
  return jsonResponse(error.status, { error: error.message }, { ...error.headers });
}
