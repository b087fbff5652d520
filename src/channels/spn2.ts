/**
 * The Wayback Machine's Save Page Now 2 API ("Save Page Now 2 Public API Docs", Internet Archive),
 * its pure parts: the requests Redline sends, how each answer is read, the error codes' verdicts,
 * the memento URL of a finished capture and the polling schedule. No I/O: src/channels/wayback.ts
 * sends the requests and stores what they answer.
 *
 *   POST <origin>/save                 url=…  → {url, job_id} | {status: "error", status_ext, message}
 *   GET  <origin>/save/status/<job_id>        → {status: "pending" | "success" | "error", timestamp, original_url, status_ext, message}
 *   GET  <origin>/save/status/user?_t=…       → {available, processing}
 *
 * Every request carries `Authorization: LOW <access key>:<secret key>` (the account's S3-style
 * keys, archive.org/account/s3.php) and `Accept: application/json`.
 */
import { parseCompactDatetime } from "../archive/memento";
import type { DeliveryResult } from "./model";

export const DEFAULT_WAYBACK_ORIGIN = "https://web.archive.org";

export interface Spn2Keys {
  accessKey: string;
  secretKey: string;
}

export interface Spn2Request {
  url: string;
  init: RequestInit;
}

const headersFor = (keys: Spn2Keys): Record<string, string> => ({
  Authorization: `LOW ${keys.accessKey}:${keys.secretKey}`,
  Accept: "application/json",
});

/**
 * The capture request. `skip_first_archive=1`: Redline does not need to know whether this is the
 * URL's first capture, and skipping the check is the API's first tip for faster captures.
 * `if_not_archived_within` defaults to one hour: a version stored within an hour of an earlier
 * capture would get that older capture back, of older text. So it is always sent: one second
 * (`1`, the smallest the API accepts) for a new submission, so every new version is captured;
 * after a crash that may have lost a submitted job, the time since that submission, so SPN2
 * answers with the capture the lost job made instead of capturing the page a second time.
 * JavaScript behaviours stay at the API's default: news pages load images and embeds on scroll.
 */
export function captureRequest(origin: string, keys: Spn2Keys, articleUrl: string, reuseWithinSeconds: number): Spn2Request {
  const body = new URLSearchParams({ url: articleUrl, skip_first_archive: "1", if_not_archived_within: String(Math.max(1, Math.ceil(reuseWithinSeconds))) });
  return {
    url: `${origin}/save`,
    init: { method: "POST", headers: { ...headersFor(keys), "Content-Type": "application/x-www-form-urlencoded" }, body: body.toString() },
  };
}

export function jobStatusRequest(origin: string, keys: Spn2Keys, jobId: string): Spn2Request {
  return { url: `${origin}/save/status/${encodeURIComponent(jobId)}`, init: { method: "GET", headers: headersFor(keys) } };
}

/** `_t` defeats a cached answer, as the API's documentation advises. */
export function userStatusRequest(origin: string, keys: Spn2Keys, nowMs: number): Spn2Request {
  return { url: `${origin}/save/status/user?_t=${nowMs}`, init: { method: "GET", headers: headersFor(keys) } };
}

/** `https://web.archive.org/web/<timestamp>/<original url>`, the URL pattern the API documents for a finished capture. */
export function waybackMementoUrl(origin: string, timestamp: string, originalUrl: string): string {
  return `${origin}/web/${timestamp}/${originalUrl}`;
}

/**
 * Codes that asking again will not change for this version: the URL or its host is refused
 * (blocked, not found, forbidden, unresolvable, too many redirects, needing a login), or a daily
 * quota is spent (`too-many-daily-captures`: this URL's captures for today; the
 * `max-daily-bandwidth*` codes). A capture made tomorrow would be of tomorrow's page, not of the
 * version it would be filed under, and the article's next version asks for its own capture.
 */
const PERMANENT_ERRORS = new Set([
  "error:bad-request",
  "error:blocked",
  "error:blocked-client-ip",
  "error:blocked-url",
  "error:filesize-limit",
  "error:ftp-access-denied",
  "error:http-version-not-supported",
  "error:invalid-host-resolution",
  "error:invalid-url-syntax",
  "error:max-daily-bandwidth",
  "error:max-daily-bandwidth-from-ip",
  "error:max-daily-bandwidth-host",
  "error:method-not-allowed",
  "error:network-authentication-required",
  "error:no-access",
  "error:not-found",
  "error:not-implemented",
  "error:too-many-daily-captures",
  "error:too-many-redirects",
  "error:unauthorized",
]);

export type ErrorVerdict = "retry" | "failed";

/**
 * Whether a job error is worth a new submission. Every other code is: those whose cause passes
 * (the archive's own load: `no-browsers-available`, `proxy-error`, `celery`, `job-failed`; this
 * account's concurrent sessions, `user-session-limit`; the target server slow or briefly failing,
 * `gateway-timeout`, `read-timeout`, `bad-gateway`, `service-unavailable`; the target host
 * rate-limiting SPN2, `too-many-requests`), and any code the documentation does not list, since
 * the queue's retries are bounded and the dead letter records the code.
 */
export function errorVerdict(statusExt: string | null): ErrorVerdict {
  if (statusExt !== null && PERMANENT_ERRORS.has(statusExt)) return "failed";
  return "retry";
}

/**
 * How long to wait before submitting again after a job error: the account's sessions and the
 * target host's rate limit (SPN2 delays that host's captures 10–20 s for 60 s) need a minute.
 */
export const RESUBMIT_AFTER_SECONDS = 60;

/** With no capture session free (`available: 0`): captures take up to two minutes, so one frees soon. */
export const NO_SESSION_RETRY_SECONDS = 30;

export interface Spn2Error {
  statusExt: string | null;
  message: string;
}

/** `error:blocked-url: We use a URL block list …`, shortened, for logs, the table and dead letters. */
export function describeError(error: Spn2Error): string {
  const text = [error.statusExt, error.message].filter((part) => part).join(": ") || "SPN2 reported an error without saying which";
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** What an answer that is not SPN2's JSON comes to: never `delivered` or `pending`. */
export type Spn2Refusal = Extract<DeliveryResult, { outcome: "retry" | "failed" }>;

type Json = Record<string, unknown>;

function parseJson(text: string): Json | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

const stringField = (json: Json, name: string): string | null => (typeof json[name] === "string" && json[name] !== "" ? (json[name] as string) : null);

const errorOf = (json: Json): Spn2Error => ({ statusExt: stringField(json, "status_ext"), message: stringField(json, "message") ?? stringField(json, "exception") ?? "" });

/** An HTTP answer that is not the API's JSON: 429 and 5xx pass, 401/403 are the keys, anything else will not change. */
function httpFailure(what: string, status: number, retryAfterSeconds: number | undefined): Spn2Refusal {
  if (status === 429) return { outcome: "retry", reason: `SPN2 answered 429 to the ${what}: over the account's captures per minute`, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  if (status >= 500 || status === 408) return { outcome: "retry", reason: `SPN2 answered ${status} to the ${what}`, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  if (status === 401 || status === 403) return { outcome: "failed", reason: `SPN2 refused the keys (${status} to the ${what}): check the access and secret key from archive.org/account/s3.php` };
  return { outcome: "failed", reason: `SPN2 answered ${status} to the ${what}` };
}

export type SubmitAnswer = { kind: "job"; jobId: string; message: string | null } | { kind: "error"; error: Spn2Error; verdict: ErrorVerdict } | { kind: "http"; result: Spn2Refusal };

/** The capture request's answer: a job id to poll, an error with its code, or an HTTP failure. */
export function readSubmitAnswer(status: number, text: string, retryAfterSeconds: number | undefined): SubmitAnswer {
  const json = status >= 200 && status < 300 ? parseJson(text) : null;
  if (json === null) {
    if (status >= 200 && status < 300) return { kind: "http", result: { outcome: "retry", reason: `SPN2 answered ${status} to the capture request without its JSON` } };
    return { kind: "http", result: httpFailure("capture request", status, retryAfterSeconds) };
  }
  const jobId = stringField(json, "job_id");
  if (json.status === "error" || jobId === null) {
    const error = errorOf(json);
    return { kind: "error", error, verdict: errorVerdict(error.statusExt) };
  }
  return { kind: "job", jobId, message: stringField(json, "message") };
}

export type JobStatus =
  | { kind: "pending" }
  | { kind: "success"; timestamp: string; atMs: number; originalUrl: string }
  | { kind: "error"; error: Spn2Error; verdict: ErrorVerdict }
  | { kind: "http"; result: Spn2Refusal };

/**
 * The status request's answer. A success without a valid 14-digit timestamp cannot be linked to,
 * so it counts as still pending until the deadline. `original_url` is the page after redirects.
 */
export function readJobStatus(status: number, text: string, retryAfterSeconds: number | undefined, requestedUrl: string): JobStatus {
  const json = status >= 200 && status < 300 ? parseJson(text) : null;
  if (json === null) {
    if (status >= 200 && status < 300) return { kind: "http", result: { outcome: "retry", reason: `SPN2 answered ${status} to the status request without its JSON` } };
    return { kind: "http", result: httpFailure("status request", status, retryAfterSeconds) };
  }
  if (json.status === "error") {
    const error = errorOf(json);
    return { kind: "error", error, verdict: errorVerdict(error.statusExt) };
  }
  if (json.status === "success") {
    const timestamp = stringField(json, "timestamp");
    const atMs = timestamp !== null && /^\d{14}$/.test(timestamp) ? parseCompactDatetime(timestamp) : null;
    if (timestamp !== null && atMs !== null) return { kind: "success", timestamp, atMs, originalUrl: stringField(json, "original_url") ?? requestedUrl };
  }
  return { kind: "pending" };
}

export type UserStatus = { kind: "sessions"; available: number; processing: number } | { kind: "http"; result: Spn2Refusal };

/** The account's capture sessions. An answer without the two counts does not stop a capture: the submission's own answer says if none is free. */
export function readUserStatus(status: number, text: string, retryAfterSeconds: number | undefined): UserStatus {
  if (status < 200 || status >= 300) return { kind: "http", result: httpFailure("user status request", status, retryAfterSeconds) };
  const json = parseJson(text);
  const available = json?.available;
  const processing = json?.processing;
  if (typeof available !== "number" || typeof processing !== "number") return { kind: "sessions", available: 1, processing: 0 };
  return { kind: "sessions", available, processing };
}

/** Polling stops here: SPN2 caps a capture at two minutes, so a job still pending after ten has been lost. */
export const POLL_DEADLINE_MS = 10 * 60 * 1000;

/** 10 s before the first status request, then 15, 20, 30, 45, 60, 60 … s: most captures finish within a minute. */
const POLL_DELAYS_SECONDS = [10, 15, 20, 30, 45, 60];

export function pollDelaySeconds(pollsSoFar: number): number {
  return POLL_DELAYS_SECONDS[Math.min(Math.max(0, pollsSoFar), POLL_DELAYS_SECONDS.length - 1)]!;
}

/** Whether a job submitted at `submittedAtMs` has had its ten minutes. */
export const pastPollDeadline = (submittedAtMs: number, nowMs: number): boolean => nowMs - submittedAtMs >= POLL_DEADLINE_MS;

/**
 * A claim (a submission about to be sent) older than this was lost to a crash between sending
 * the capture request and storing its job id: the fetch times out long before. A younger one is
 * another delivery's submission in flight, waited for.
 */
export const STALE_CLAIM_MS = 2 * 60 * 1000;
