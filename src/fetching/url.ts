/**
 * Turning a user-supplied URL into the canonical form Redline tracks, and deciding whether
 * the Worker may fetch it at all.
 */

import ipaddr from "ipaddr.js";
import { sha256Hex } from "../digest";
import { specialAddress } from "./special-addresses";
import { quoteInput } from "../quote";

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
 * Longer URLs are refused before anything else: no article address comes near it (browsers and
 * CDNs stop at 8 KB, sitemaps at 2,048 characters), and a huge one would otherwise be fetched.
 */
export const MAX_URL_LENGTH = 2048;

/** Why `input` is too long to be an address Redline fetches, or null. */
export function overlongUrl(input: string): string | null {
  return input.length > MAX_URL_LENGTH ? `it is ${input.length} characters long, over the ${MAX_URL_LENGTH} accepted: ${quoteInput(input)}` : null;
}

/**
 * Parses and canonicalises an article URL: http(s) only, no credentials, lower-case host
 * (the URL parser does that) without a trailing dot, default port dropped, no fragment,
 * tracking parameters removed.
 */
export function normalizeArticleUrl(input: unknown): string {
  if (typeof input !== "string" || input.trim() === "") {
    throw new InvalidUrlError("`url` must be a non-empty string");
  }
  const overlong = overlongUrl(input.trim());
  if (overlong) throw new InvalidUrlError(`\`url\` is refused: ${overlong}`);
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
  // `example.com.` names the same host; one spelling keeps one article id. Hosts without the dot are untouched.
  url.hostname = withoutTrailingDot(url.hostname);
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

/**
 * Names no public site has: special-use names (RFC 6761 and later) and the private-network
 * suffixes RFC 6762 (Appendix G) found in use. Production DNS never answers for them, but a
 * local resolver or hosts file can point them anywhere, so they are refused outright.
 */
const PRIVATE_SUFFIXES: ReadonlyArray<readonly [suffix: string, meaning: string]> = [
  ["local", "multicast DNS (RFC 6762)"],
  ["internal", "reserved for private networks (ICANN, 2024)"],
  ["home.arpa", "home networks (RFC 8375)"],
  ["invalid", "never a valid name (RFC 6761)"],
  ["example", "documentation (RFC 6761)"],
  ["onion", "Tor onion services (RFC 7686)"],
  ["alt", "names outside the DNS (RFC 9476)"],
  ["lan", "private networks by custom (RFC 6762)"],
  ["intranet", "private networks by custom (RFC 6762)"],
  ["corp", "private networks by custom (RFC 6762)"],
  ["home", "private networks by custom (RFC 6762)"],
  ["private", "private networks by custom (RFC 6762)"],
];

const LOOPBACK_HINT = "loopback is allowed only with ALLOW_LOOPBACK=true, for local development";

/**
 * `example.com.` and `example.com` are one host (the URL parser has already lower-cased ASCII).
 * `localhost..` keeps its dots: stripping one would leave a name the next strip turns into
 * `localhost`, and its empty label is refused.
 */
function withoutTrailingDot(host: string): string {
  return /[^.]\.$/.test(host) ? host.slice(0, -1) : host;
}

/** Why a host name (not an IP address) must not be fetched, or null. */
function nameRefusal(host: string, name: string, allowLoopback: boolean): string | null {
  const labels = name.split(".");
  if (labels.includes("")) return `host ${host} has an empty label`;
  const under = (suffix: string) => name === suffix || name.endsWith(`.${suffix}`);
  if (under("localhost")) return allowLoopback ? null : `host ${host} is a localhost name, which is loopback (RFC 6761); ${LOOPBACK_HINT}`;
  if (labels.length === 1) {
    return `host ${host} is a single-label name: no public site has one, and a local resolver or hosts file may point it at a private address`;
  }
  // Redline's fixtures live under .test and are only ever fetched through the replay origin.
  if (under("test")) {
    return allowLoopback ? null : `host ${host} is under .test, reserved for testing (RFC 6761); .test names are allowed only with ALLOW_LOOPBACK=true`;
  }
  const suffix = PRIVATE_SUFFIXES.find(([candidate]) => under(candidate));
  return suffix ? `host ${host} is under .${suffix[0]}, ${suffix[1]}, which no public site uses` : null;
}

/**
 * Why the Worker must not fetch this URL, or null when it may. Checked before every request:
 * an article's URL, each redirect hop, a webhook URL when subscribing and at every delivery.
 * `allowLoopback` (local development) lets loopback addresses, localhost names and .test names
 * through; every other special-purpose address and private name stays refused.
 */
export function refusalReason(url: string, allowLoopback: boolean): string | null {
  const host = new URL(url).hostname;
  const name = withoutTrailingDot(host);
  // The URL parser writes every IPv4 form (decimal, hex, octal, short) as a dotted quad.
  const literal = name.startsWith("[") ? name.slice(1, -1) : ipaddr.IPv4.isValidFourPartDecimal(name) ? name : null;
  if (literal === null) return nameRefusal(host, name, allowLoopback);
  const special = specialAddress(literal);
  if (special === null || (special.loopback && allowLoopback)) return null;
  return `host ${host} is ${special.description}${special.loopback ? `; ${LOOPBACK_HINT}` : ""}`;
}
