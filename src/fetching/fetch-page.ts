/**
 * One polite HTTP fetch of an article page: conditional request, bounded redirects, timeout,
 * size cap and charset decoding. It knows nothing of KV or extraction; it only says what the
 * publisher answered. The request loop (`fetchBody`) is shared with the fetch of a source
 * (src/fetching/fetch-source.ts), which differs only in what it accepts and how much it reads.
 */
import type { RetryAfter } from "../scheduling";
import { decodeBody } from "./charset";
import { parseRetryAfter } from "./retry-after";
import { refusalReason } from "./url";

/** Every request sends exactly these two headers (plus validators); the WARC export rebuilds requests from them. */
export const USER_AGENT = "Redline/0.1 (news edit tracker; +https://github.com/redline-news/redline)";
export const ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";
export const MAX_REDIRECTS = 5;
export const DEFAULT_TIMEOUT_MS = 20_000;
/** Real article pages are well under 2 MB; anything far larger is not an article. */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

export interface FetchOptions {
  /** Validators from the last capture, for a conditional GET. */
  etag?: string | null;
  lastModified?: string | null;
  allowLoopback: boolean;
  /** Local development: send every hop to this fixture replay origin instead of the site. */
  replayOrigin?: string | undefined;
  timeoutMs?: number;
  /** The article page cap (FETCH_MAX_BYTES). */
  maxBytes?: number;
  /** The source cap (SOURCE_MAX_BYTES): feeds and sitemaps are larger than pages (src/fetching/fetch-source.ts). */
  sourceMaxBytes?: number;
}

export interface FetchedPage {
  kind: "ok";
  status: number;
  finalUrl: string;
  /** The body exactly as served (before charset decoding), and the response headers in order. */
  body: Uint8Array;
  headers: Array<[string, string]>;
  html: string;
  charset: string;
  etag: string | null;
  lastModified: string | null;
}

/**
 * - `not-modified`: 304 to a conditional request.
 * - `missing`: 404/410, the page is gone (two in a row make a `removed` change).
 * - `transient`: server error, 429, timeout or network failure; worth retrying later, and not
 *   before `retryAfter` when a 429 or 503 said when (its `Retry-After`; null otherwise).
 * - `refused`: anything else that can never become a version (a URL or redirect target the
 *   host rules refuse, not HTML, too large, other 4xx).
 */
export type FetchOutcome =
  | FetchedPage
  | { kind: "not-modified"; status: 304; finalUrl: string }
  | { kind: "missing"; status: number; finalUrl: string }
  | { kind: "transient"; status: number | null; finalUrl: string; reason: string; retryAfter: RetryAfter | null }
  | { kind: "refused"; status: number | null; finalUrl: string; reason: string };

export function requestUrlFor(url: string, replayOrigin: string | undefined): string {
  if (!replayOrigin) return url;
  const origin = new URL(replayOrigin).origin;
  // Pages served by the replay origin under its own address are fetched as they are.
  return new URL(url).origin === origin ? url : `${origin}/fetch?url=${encodeURIComponent(url)}`;
}

/**
 * The body's bytes, `maxBytes` at most. Past the cap, `overflow: "refuse"` gives null (a page that
 * large is no article) and `"cut"` keeps the first `maxBytes` (robots.txt: RFC 9309 §2.5 lets a
 * crawler ignore what lies beyond 500 KiB); either way the rest is never read.
 */
export async function readBody(body: ReadableStream<Uint8Array> | null, maxBytes: number, overflow: "cut"): Promise<Uint8Array>;
export async function readBody(body: ReadableStream<Uint8Array> | null, maxBytes: number, overflow: "refuse"): Promise<Uint8Array | null>;
export async function readBody(body: ReadableStream<Uint8Array> | null, maxBytes: number, overflow: "refuse" | "cut"): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      await reader.cancel().catch(() => {});
      if (overflow === "refuse") return null;
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function isHtml(contentType: string | null): boolean {
  // A missing Content-Type is common on small sites; the extractor decides whether it is an article.
  return contentType === null || /^(text\/html|application\/xhtml\+xml)\b/i.test(contentType.trim());
}

/** A 200's body as served, not yet decoded: what an article page and a source (feed, sitemap) share. */
export interface FetchedBody {
  kind: "ok";
  status: number;
  finalUrl: string;
  body: Uint8Array;
  headers: Array<[string, string]>;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
}

/** What a fetch answers before its body is read as a page or as a source. */
export type BodyFetchOutcome = FetchedBody | Exclude<FetchOutcome, FetchedPage>;

/** What differs between fetching an article page and fetching a source. */
export interface FetchPolicy {
  accept: string;
  maxBytes: number;
  /** Names the thing in the size refusal: "page larger than …", "source larger than …". */
  noun: string;
  /** A refusal reason for a 200's Content-Type, or null to read the body. */
  refuseType?: (contentType: string | null) => string | null;
}

/**
 * The one polite request loop: host rules on every hop, at most {@link MAX_REDIRECTS} redirects
 * followed by hand, validators on the first hop only, timeout, Retry-After on 429/503, and the
 * size cap (a declared Content-Length past it is refused without reading a byte).
 */
export async function fetchBody(url: string, options: FetchOptions, policy: FetchPolicy): Promise<BodyFetchOutcome> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { maxBytes } = policy;
  const signal = AbortSignal.timeout(timeoutMs);
  let current = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const refusal = refusalReason(current, options.allowLoopback);
      if (refusal) return { kind: "refused", status: null, finalUrl: current, reason: refusal };

      const headers = new Headers({ "User-Agent": USER_AGENT, Accept: policy.accept });
      // Validators belong to the URL they came from; a redirected hop asks unconditionally.
      if (hop === 0 && options.etag) headers.set("If-None-Match", options.etag);
      if (hop === 0 && options.lastModified) headers.set("If-Modified-Since", options.lastModified);

      const response = await fetch(requestUrlFor(current, options.replayOrigin), { headers, redirect: "manual", signal });
      const status = response.status;

      if (status >= 300 && status < 400 && status !== 304) {
        await response.body?.cancel();
        const location = response.headers.get("Location");
        if (!location) return { kind: "refused", status, finalUrl: current, reason: `HTTP ${status} without a Location header` };
        const next = new URL(location, current);
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          return { kind: "refused", status, finalUrl: current, reason: `redirect to a non-http URL (${next.protocol})` };
        }
        next.hash = "";
        current = next.toString();
        continue;
      }
      if (status === 304) {
        await response.body?.cancel();
        return { kind: "not-modified", status, finalUrl: current };
      }
      if (status === 404 || status === 410) {
        await response.body?.cancel();
        return { kind: "missing", status, finalUrl: current };
      }
      if (status === 429 || status >= 500) {
        await response.body?.cancel();
        // RFC 9110 and RFC 6585 give Retry-After this meaning on 503 and 429 only.
        const header = status === 429 || status === 503 ? response.headers.get("Retry-After") : null;
        const retryAfter = parseRetryAfter(header, Date.now());
        const reason = retryAfter ? `HTTP ${status}, Retry-After: ${header}` : `HTTP ${status}`;
        return { kind: "transient", status, finalUrl: current, reason, retryAfter };
      }
      if (status !== 200) {
        await response.body?.cancel();
        return { kind: "refused", status, finalUrl: current, reason: `HTTP ${status}` };
      }
      const contentType = response.headers.get("Content-Type");
      const typeRefusal = policy.refuseType?.(contentType) ?? null;
      if (typeRefusal) {
        await response.body?.cancel();
        return { kind: "refused", status, finalUrl: current, reason: typeRefusal };
      }
      const declaredLength = Number(response.headers.get("Content-Length") ?? "0");
      if (declaredLength > maxBytes) await response.body?.cancel();
      const bytes = declaredLength > maxBytes ? null : await readBody(response.body, maxBytes, "refuse");
      if (!bytes) {
        return { kind: "refused", status, finalUrl: current, reason: `${policy.noun} larger than ${maxBytes} bytes` };
      }
      return {
        kind: "ok",
        status,
        finalUrl: current,
        body: bytes,
        headers: [...response.headers],
        contentType,
        etag: response.headers.get("ETag"),
        lastModified: response.headers.get("Last-Modified"),
      };
    }
    return { kind: "refused", status: null, finalUrl: current, reason: `more than ${MAX_REDIRECTS} redirects` };
  } catch (error) {
    const reason = signal.aborted ? `timed out after ${timeoutMs} ms` : `network error: ${(error as Error).message}`;
    return { kind: "transient", status: null, finalUrl: current, reason, retryAfter: null };
  }
}

const PAGE_POLICY = { accept: ACCEPT, noun: "page", refuseType: (contentType: string | null) => (isHtml(contentType) ? null : `not an HTML page (${contentType})`) };

export async function fetchPage(url: string, options: FetchOptions): Promise<FetchOutcome> {
  const fetched = await fetchBody(url, options, { ...PAGE_POLICY, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES });
  if (fetched.kind !== "ok") return fetched;
  const { contentType, ...rest } = fetched;
  const { text, charset } = decodeBody(fetched.body, contentType);
  return { ...rest, html: text, charset };
}
