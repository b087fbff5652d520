/** Shared by the sign-in tests: requests as a browser sends them, with or without a session. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { SESSION_COOKIE } from "../src/auth/session";
import type { Env } from "../src/env";
import worker from "../src/index";

export const ORIGIN = "http://redline.test";
/** What a browser adds to a same-origin form post. */
export const SAME_ORIGIN = { Origin: ORIGIN, "Sec-Fetch-Site": "same-origin" };
export const BROWSER_ACCEPT = { Accept: "text/html,application/xhtml+xml" };

export interface Call {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded, as an HTML form posts. */
  form?: Record<string, string>;
  json?: unknown;
  /** Bindings over the tests' own (e.g. PUBLIC_READ: "false"). */
  bindings?: Partial<Env>;
}

/** The worker's answer to one request; work it left to waitUntil is finished before it returns. */
export async function call(path: string, options: Call = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.form) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  const request = new Request(`${ORIGIN}${path}`, { method: options.method ?? (body === undefined ? "GET" : "POST"), headers, body, redirect: "manual" });
  const context = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...options.bindings } as Env, context);
  await waitOnExecutionContext(context);
  return response;
}

/** Signs in with the admin token from this site's form; returns the Cookie header value to send back. */
export async function signIn(bindings: Partial<Env> = {}): Promise<string> {
  const response = await call("/sign-in", { form: { token: env.ADMIN_TOKEN!, next: "/" }, headers: { ...SAME_ORIGIN, ...BROWSER_ACCEPT }, bindings });
  expect(response.status).toBe(303);
  const setCookie = response.headers.get("Set-Cookie") ?? "";
  const pair = setCookie.split(";")[0]!;
  expect(pair.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
  return pair;
}

/** The session rows D1 holds. */
export async function sessionCount(): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions").first<{ n: number }>())!.n;
}

/** The admin's browser, signed in: its session cookie, a page as it gets it, and a form as it posts one from one of Redline's pages. */
export interface AdminBrowser {
  cookie: string;
  get(path: string): Promise<Response>;
  post(path: string, form?: Record<string, string>): Promise<Response>;
}

/** Signs in with the admin token (see signIn) and returns the browser that holds the session. */
export async function signInAsAdmin(): Promise<AdminBrowser> {
  const cookie = await signIn();
  return {
    cookie,
    get: (path) => call(path, { headers: { Cookie: cookie, ...BROWSER_ACCEPT } }),
    post: (path, form = {}) => call(path, { form, headers: { Cookie: cookie, ...SAME_ORIGIN, ...BROWSER_ACCEPT } }),
  };
}

/** A page's HTML, once its status, its type and the CSP every page carries (and `cacheControl`, where given) are checked. */
export async function pageHtml(response: Response, status: number, cacheControl?: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
  expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
  if (cacheControl !== undefined) expect(response.headers.get("Cache-Control")).toBe(cacheControl);
  return response.text();
}
