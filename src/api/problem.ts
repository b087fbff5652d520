/**
 * RFC 9457 problem details: every error the API returns has this shape, built in one place.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { BadParameterError } from "../feeds/filter";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export const problemTitle = (status: number): string => TITLES[status] ?? "Error";

/** `extensions` are members of the problem beyond the standard ones (RFC 9457 §3.2), e.g. `host`. */
export function problemResponse(status: ContentfulStatusCode, detail: string, headers: Record<string, string> = {}, extensions: Record<string, unknown> = {}): Response {
  const body = { type: "about:blank", status, title: problemTitle(status), detail, ...extensions };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

/** A request field that caused a problem and why, as in RFC 9457 §3's `invalid-params` example. */
export interface InvalidParam {
  name: string;
  reason: string;
}

/**
 * A problem thrown by a handler. It keeps its `invalid-params` as values, so the admin forms can
 * show each reason beside its field without parsing the response they would otherwise send.
 */
export class Problem extends HTTPException {
  readonly invalidParams: readonly InvalidParam[];

  constructor(status: ContentfulStatusCode, detail: string, headers: Record<string, string> = {}, extensions: Record<string, unknown> = {}) {
    super(status, { res: problemResponse(status, detail, headers, extensions), message: detail });
    this.invalidParams = (extensions["invalid-params"] as InvalidParam[] | undefined) ?? [];
  }
}

/**
 * Throw from a handler to answer with a problem document. The detail is also the exception's
 * message, so the web pages can show the same words in an HTML error page.
 */
export function problem(status: ContentfulStatusCode, detail: string, headers?: Record<string, string>, extensions?: Record<string, unknown>): Problem {
  return new Problem(status, detail, headers, extensions);
}

/** A problem caused by one request field: the detail for the whole answer, `reason` for beside the field. */
export function fieldProblem(status: ContentfulStatusCode, name: string, reason: string, detail: string): Problem {
  return problem(status, detail, {}, { "invalid-params": [{ name, reason }] });
}

export function handleError(error: Error, c: Context): Response {
  if (error instanceof BadParameterError) return problemResponse(400, error.message);
  if (error instanceof HTTPException) {
    const response = error.getResponse();
    if (response.headers.get("Content-Type")?.startsWith("application/problem+json")) return response;
    return problemResponse(error.status as ContentfulStatusCode, error.message || problemTitle(error.status));
  }
  // Internal details stay in the log; the client gets a stable message.
  console.error(JSON.stringify({ event: "unhandled-error", method: c.req.method, path: c.req.path, error: String(error), stack: error.stack }));
  return problemResponse(500, "An unexpected error occurred; nothing was changed by this request.");
}
