/**
 * The Robots Exclusion Protocol, RFC 9309: parse a robots.txt body into groups and decide whether a
 * path may be fetched. Pure: the fetching of /robots.txt (and its caching, §2.4) belongs to the
 * caller, which hands the outcome to policyForResponse.
 */

/** One allow/disallow line. `pattern` is percent-normalised (see normalise); `line` is as written. */
export interface RobotsRule {
  readonly allow: boolean;
  readonly pattern: string;
  readonly line: string;
}

/** Consecutive user-agent lines and the rules that follow them (§2.1). */
export interface RobotsGroup {
  /** Lower-cased product tokens, or "*" for the fallback group. */
  readonly userAgents: readonly string[];
  readonly rules: readonly RobotsRule[];
  /** Non-standard Crawl-delay in seconds; the largest if the group states several. */
  readonly crawlDelay: number | null;
}

export interface RobotsPolicy {
  readonly groups: readonly RobotsGroup[];
  /** Sitemap URLs in file order, deduplicated; they belong to no group (§2.2.4). */
  readonly sitemaps: readonly string[];
  /** Set when no file was parsed (§2.3.1): every path gets this verdict, `reason` is its `rule`. */
  readonly blanket: { readonly allowed: boolean; readonly reason: string } | null;
}

/** RFC 9309 §2.5: parsers must handle at least 500 KiB; content beyond is ignored. */
export const ROBOTS_MAX_BYTES = 500 * 1024;

function blanket(allowed: boolean, reason: string): RobotsPolicy {
  return Object.freeze({ groups: Object.freeze([]), sitemaps: Object.freeze([]), blanket: Object.freeze({ allowed, reason }) });
}

export const ALLOW_ALL: RobotsPolicy = blanket(true, "robots.txt unavailable: allow all");
export const DISALLOW_ALL: RobotsPolicy = blanket(false, "robots.txt unreachable: disallow all");

/**
 * RFC 9309 §2.3.1: 2xx → parse the body; 4xx (incl. 404) → allow all; 5xx, or null status
 * (unreachable / network error / too many redirects) → disallow all.
 */
export function policyForResponse(status: number | null, body: string | null): RobotsPolicy {
  if (status === null) return DISALLOW_ALL;
  if (status >= 200 && status < 300) return parseRobots(body ?? "");
  // §2.3.1.3 "unavailable": the site states there is no file, so nothing is excluded.
  if (status >= 400 && status < 500) return blanket(true, `robots.txt unavailable (HTTP ${status}): allow all`);
  // §2.3.1.4 "unreachable" for 5xx. A 1xx/3xx reaching here means the fetch never got a file
  // (redirects are the caller's to follow, §2.3.1.2), so it is treated as unreachable too: the safe side.
  return blanket(false, `robots.txt unreachable (HTTP ${status}): disallow all`);
}

/**
 * Cut to ROBOTS_MAX_BYTES of UTF-8, dropping the line the limit falls in: half of
 * "Disallow: /archive/" is "Disallow: /". A body of exactly the limit is taken as already cut
 * there (a fetcher reads at most that much), so its last line counts only if a line break ends it.
 */
function capped(body: string): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short bodies skip the encoding.
  if (body.length * 3 < ROBOTS_MAX_BYTES) return body;
  const bytes = new TextEncoder().encode(body);
  if (bytes.length < ROBOTS_MAX_BYTES) return body;
  const isEol = (b: number | undefined) => b === 0x0a || b === 0x0d;
  let end = ROBOTS_MAX_BYTES;
  if (!isEol(bytes[end])) {
    while (end > 0 && !isEol(bytes[end - 1])) end--;
  }
  // The cut is at an ASCII line break, so no character is split.
  return new TextDecoder().decode(bytes.subarray(0, end));
}

const HEX = "0123456789ABCDEF";
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// RFC 3986 reserved characters plus "%": kept literally, since encoding or decoding them changes meaning.
const KEEP_LITERAL = /^[:/?#[\]@!$&'()*+,;=%]$/;

/**
 * §2.2.2: compare paths with unreserved characters decoded (%7E → ~), other escapes upper-cased
 * (%2f → %2F), and non-ASCII, controls and other unsafe ASCII percent-encoded as UTF-8 octets.
 * Applied to both the rule and the URL path, so "/~foo" and "/%7Efoo" are the same path.
 */
function normalise(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      const decoded = String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      out += UNRESERVED.test(decoded) ? decoded : s.slice(i, i + 3).toUpperCase();
      i += 2;
    } else if (UNRESERVED.test(ch) || KEEP_LITERAL.test(ch)) {
      out += ch;
    } else {
      // A surrogate pair is one character: encode both halves together.
      const cp = s.codePointAt(i)!;
      const char = String.fromCodePoint(cp);
      if (cp > 0xffff) i++;
      for (const b of new TextEncoder().encode(char)) out += "%" + HEX[b >> 4] + HEX[b & 15];
    }
  }
  return out;
}

/**
 * §2.2.3: does `pattern` match a prefix of `path` ("*" = any octets, a final "$" = end of path)?
 * Greedy matching that backtracks only to the last "*": linear-ish and immune to the exponential
 * blow-up a regular expression built from a hostile "*a*a*a…" pattern could have.
 */
function matches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith("$");
  const p = anchored ? pattern.slice(0, -1) : pattern;
  let i = 0; // in path
  let j = 0; // in p
  let star = -1; // index in p of the last "*" seen
  let mark = 0; // where in path that "*" currently stops
  for (;;) {
    if (j === p.length && !anchored) return true; // the whole pattern matched a prefix
    if (i === path.length) break;
    if (p[j] === "*") {
      star = j++;
      mark = i;
    } else if (j < p.length && p[j] === path[i]) {
      i++;
      j++;
    } else if (star >= 0) {
      j = star + 1; // let the last "*" swallow one more octet
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p[j] === "*") j++;
  return j === p.length;
}

/** The product token a user-agent value or crawler name starts with (§2.2.1), lower-cased: "Redline/1.0" → "redline". */
function productToken(value: string): string {
  return (/^[A-Za-z_-]*/.exec(value)?.[0] ?? "").toLowerCase();
}

/** A non-negative decimal number of seconds, else null. */
function parseDelay(value: string): number | null {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function parseRobots(body: string): RobotsPolicy {
  const text = capped(body.startsWith("\uFEFF") ? body.slice(1) : body);
  type Building = { userAgents: string[]; rules: RobotsRule[]; crawlDelay: number | null };
  const groups: Building[] = [];
  const sitemaps: string[] = [];
  let current: Building | null = null;
  // A user-agent line after a group's rules starts a new group; before them it joins the group (§2.1).
  let inRules = false;

  for (const raw of text.split(/\r\n|\r|\n/)) {
    const hash = raw.indexOf("#");
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    const colon = line.indexOf(":");
    if (colon < 0) continue; // blank, comment-only or malformed: ignored (§2.2)
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();

    if (key === "user-agent") {
      if (current === null || inRules) {
        current = { userAgents: [], rules: [], crawlDelay: null };
        groups.push(current);
        inRules = false;
      }
      // "*" may be followed by junk such as "* (all bots)"; anything else is reduced to its token.
      current.userAgents.push(/^\*(\s|$)/.test(value) ? "*" : productToken(value));
    } else if (key === "allow" || key === "disallow" || key === "crawl-delay") {
      if (current === null) continue; // rules before any user-agent line belong to no group
      inRules = true;
      if (key === "crawl-delay") {
        const delay = parseDelay(value);
        if (delay !== null) current.crawlDelay = Math.max(current.crawlDelay ?? 0, delay);
      } else if (value !== "") {
        // An empty value matches nothing: "Disallow:" disallows nothing.
        current.rules.push({ allow: key === "allow", pattern: normalise(value), line });
      }
    } else if (key === "sitemap") {
      if (value !== "" && !sitemaps.includes(value)) sitemaps.push(value);
    }
    // Other keys (Host, Clean-param, typos…) are ignored and leave the grouping untouched.
  }
  return { groups, sitemaps, blanket: null };
}

/**
 * §2.2.1: the groups naming the crawler's product token (case-insensitively), combined; else the
 * "*" groups; else none (no rules apply). A specific group replaces "*" entirely.
 */
function selectGroups(policy: RobotsPolicy, userAgent: string): RobotsGroup[] {
  const token = productToken(userAgent.trim());
  const specific = token === "" ? [] : policy.groups.filter((g) => g.userAgents.includes(token));
  return specific.length > 0 ? specific : policy.groups.filter((g) => g.userAgents.includes("*"));
}

/**
 * Whether `pathAndQuery` (e.g. "/view/AEN2019?x=1", percent-encoded as in the URL) may be fetched by
 * `userAgent` (the product token, e.g. "Redline"); `rule` is the deciding line as written, e.g.
 * "Disallow: /view/" (null when no rule matched; for a blanket policy, its reason).
 */
export function robotsVerdict(
  policy: RobotsPolicy,
  userAgent: string,
  pathAndQuery: string,
): { allowed: boolean; rule: string | null } {
  const hash = pathAndQuery.indexOf("#");
  const target = normalise((hash >= 0 ? pathAndQuery.slice(0, hash) : pathAndQuery) || "/");
  // §2.2.2: /robots.txt is implicitly allowed, even when the rest of the site is not.
  if (target === "/robots.txt" || target.startsWith("/robots.txt?")) {
    return { allowed: true, rule: "/robots.txt is implicitly allowed" };
  }
  if (policy.blanket) return { allowed: policy.blanket.allowed, rule: policy.blanket.reason };

  // §2.2.2: the longest pattern (in octets; normalised patterns are ASCII) wins; on a tie allow wins,
  // and among equals the earliest line is reported.
  let best: RobotsRule | null = null;
  for (const group of selectGroups(policy, userAgent)) {
    for (const rule of group.rules) {
      if (!matches(rule.pattern, target)) continue;
      if (
        best === null ||
        rule.pattern.length > best.pattern.length ||
        (rule.pattern.length === best.pattern.length && rule.allow && !best.allow)
      ) {
        best = rule;
      }
    }
  }
  return best === null ? { allowed: true, rule: null } : { allowed: best.allow, rule: best.line };
}

/** The Crawl-delay (seconds, non-standard but widely used) of the group that applies to `userAgent`, or null. */
export function crawlDelaySeconds(policy: RobotsPolicy, userAgent: string): number | null {
  let delay: number | null = null;
  // Combined groups (§2.2.1) that each state a delay: the largest, being the politest reading.
  for (const group of selectGroups(policy, userAgent)) {
    if (group.crawlDelay !== null) delay = Math.max(delay ?? 0, group.crawlDelay);
  }
  return delay;
}
