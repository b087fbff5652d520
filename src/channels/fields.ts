/**
 * Pure helpers every channel shares: refusing a create body's field with a problem that names it
 * (RFC 9457's `invalid-params` extension, which the admin page shows beside the field), checking
 * a service URL against the host rules, and reading a service's HTTP answer as a DeliveryResult.
 */
import { fieldProblem, type Problem } from "../api/problem";
import { parseRetryAfter } from "../fetching/retry-after";
import { overlongUrl, refusalReason } from "../fetching/url";
import { quoteInput } from "../quote";
import type { DeliveryResult } from "./model";

/** A 400 naming the field: `detail` reads on its own, `invalid-params` lets a form put it beside the field. */
export function invalidField(name: string, reason: string): Problem {
  return fieldProblem(400, name, reason, `\`${name}\` ${reason}`);
}

/** A required string field, trimmed; `hint` says what belongs there when it is missing. */
export function requiredString(body: Record<string, unknown>, name: string, hint: string): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "") throw invalidField(name, `is required: ${hint}.`);
  return value.trim();
}

/**
 * An absolute http(s) URL the host rules allow (private and special addresses refused unless
 * `allowLoopback` lets loopback through). `prefix`, when given, is the service's documented
 * address; other hosts are allowed too (so tests can use local fakes), which is why the README
 * says to use the real hosts in production.
 */
export function serviceUrl(body: Record<string, unknown>, name: string, allowLoopback: boolean, hint: string): URL {
  const value = requiredString(body, name, hint);
  const overlong = overlongUrl(value);
  if (overlong) throw invalidField(name, `is refused: ${overlong}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidField(name, `is not an absolute URL: ${quoteInput(value)}.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalidField(name, "must be http(s).");
  const refusal = refusalReason(url.href, allowLoopback);
  if (refusal) throw invalidField(name, `cannot be delivered to: ${refusal}.`);
  return url;
}

/** The longest a service's Retry-After is taken at its word; Queues cannot delay a retry beyond 12 h anyway. */
const MAX_RETRY_AFTER_SECONDS = 12 * 60 * 60;

/** Seconds to wait from a `Retry-After` header (delay-seconds or an HTTP-date), or undefined without one. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | undefined {
  const parsed = parseRetryAfter(header, nowMs);
  if (!parsed) return undefined;
  const seconds = "delaySeconds" in parsed ? parsed.delaySeconds : Math.ceil((parsed.at - nowMs) / 1000);
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}

/**
 * A service's answer in the framework's terms: 2xx delivered; 408, 429 and 5xx are worth
 * retrying (after Retry-After when given); any other status will not change by asking again.
 * `detail` is what the service said (Slack's "channel_not_found", Discord's JSON message),
 * already shortened by the caller.
 */
export function resultOfStatus(service: string, status: number, detail: string, retryAfter: number | undefined): DeliveryResult {
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  const reason = `${service} answered ${status}${detail ? `: ${detail}` : ""}`;
  if (status === 408 || status === 429 || status >= 500) {
    return retryAfter === undefined ? { outcome: "retry", reason } : { outcome: "retry", reason, retryAfterSeconds: retryAfter };
  }
  return { outcome: "failed", reason };
}

/** At most this much of a service's error body goes into a reason (logs, the dead-letter record, the test-send answer). */
const MAX_DETAIL_CHARS = 200;

/** A service's error body as one short, printable line. */
export function shortDetail(text: string): string {
  const line = text.replace(/\s+/gu, " ").trim();
  return line.length > MAX_DETAIL_CHARS ? `${line.slice(0, MAX_DETAIL_CHARS)}…` : line;
}
