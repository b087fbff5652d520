/**
 * Turning a user-supplied URL into the canonical form Redline tracks, and deciding whether
 * the Worker may fetch it at all.
 */
import { quoteInput } from "../api/problem";
import { sha256Hex } from "../digest";

/** Query parameters that identify a campaign or click, never the article. */
const TRACKING_PARAMETERS = new Set([
  "fbclid",
  "gclid",
  "gbraid",
  "wbraid",
  "dclid",
  "msclkid",
  "yclid",
  "igshid",
  "mc_cid",
  "mc_eid",
  "_ga",
  "_gl",
  "_hsenc",
  "_hsmi",
  "mkt_tok",
  "ocid",
  "cmpid",
  "smid",
]);

function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith("utm_") || TRACKING_PARAMETERS.has(lower);
}

export class InvalidUrlError extends Error {}

/**
 * Parses and canonicalises an article URL: http(s) only, no credentials, lower-case host
 * (the URL parser does that), default port dropped, no fragment, tracking parameters removed.
 */
export function normalizeArticleUrl(input: unknown): string {
  if (typeof input !== "string" || input.trim() === "") {
    throw new InvalidUrlError("`url` must be a non-empty string");
  }
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InvalidUrlError(`\`url\` is not a valid absolute URL: ${quoteInput(input)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidUrlError(`only http and https URLs can be tracked, not ${url.protocol}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new InvalidUrlError("URLs with credentials (user:password@) are refused");
  }
  if (url.hostname === "") {
    throw new InvalidUrlError("the URL has no host");
  }
  url.hash = "";
  for (const name of [...url.searchParams.keys()]) {
    if (isTrackingParameter(name)) url.searchParams.delete(name);
  }
  if (url.search === "?") url.search = "";
  return url.toString();
}

/** Stable article id: the first 16 hex digits of SHA-256 over the canonical URL. */
export async function articleIdFor(canonicalUrl: string): Promise<string> {
  return (await sha256Hex(canonicalUrl)).slice(0, 16);
}

function parseIPv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4) return null;
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  return octets.every((o) => o >= 0 && o <= 255) ? octets : null;
}

function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost") || host === "[::1]") return true;
  const v4 = parseIPv4(host) ?? mappedIPv4(host);
  return v4 !== null && v4[0] === 127;
}

/** `[::ffff:7f00:1]` — how the URL parser writes an IPv4-mapped IPv6 address. */
function mappedIPv4(host: string): number[] | null {
  const match = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(host);
  if (!match) return null;
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255];
}

function isPrivateOrReservedHost(host: string): boolean {
  if (host.endsWith(".local") || host.endsWith(".internal") || host === "[::]") return true;
  const v4 = parseIPv4(host) ?? mappedIPv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (host.startsWith("[")) {
    const address = host.slice(1, -1);
    return /^f[cd]/.test(address) || /^fe[89ab]/.test(address);
  }
  return false;
}

/**
 * Why the Worker must not fetch this URL, or null when it may. Loopback is allowed only when
 * local development says so; private and link-local ranges never are.
 */
export function refusalReason(url: string, allowLoopback: boolean): string | null {
  const host = new URL(url).hostname;
  if (isLoopbackHost(host)) {
    return allowLoopback ? null : `host ${host} is a loopback address (set ALLOW_LOOPBACK=true for local development)`;
  }
  if (isPrivateOrReservedHost(host)) return `host ${host} is a private, link-local or reserved address`;
  return null;
}
