/**
 * Politeness per host, the effectful half: robots.txt fetched (through the same host rules,
 * redirect limit, timeout and replay origin as article fetches) and cached in D1 for 24 h, and
 * what a check must do with it. The pure parts are src/politeness/robots.ts (RFC 9309) and
 * `hostInterval` below; the D1 statements are RedlineStore's (`hosts` table, docs/storage.md).
 */
import { MAX_REDIRECTS, readBody, requestUrlFor, USER_AGENT, type FetchOptions } from "../fetching/fetch-page";
import { refusalReason } from "../fetching/url";
import type { HostRow, RedlineStore } from "../storage/store";
import { crawlDelaySeconds, policyForResponse, robotsVerdict, ROBOTS_MAX_BYTES, type RobotsPolicy } from "./robots";

/** The product token robots.txt groups are matched against (RFC 9309 §2.2.1). */
export const ROBOTS_USER_AGENT = "Redline";
/** A cached robots.txt is used this long, then fetched again (RFC 9309 §2.4: SHOULD NOT cache beyond 24 h). */
export const ROBOTS_TTL_MS = 24 * 60 * 60 * 1000;
/** Default minimum time between two requests to one host (`MIN_HOST_INTERVAL_MS`). */
export const DEFAULT_MIN_HOST_INTERVAL_MS = 1000;
/** A `Retry-After` pushes the whole host back at most this far. */
export const HOST_PUSHBACK_CAP_MS = 24 * 60 * 60 * 1000;

/** The interval between two requests to a host: its own setting or the deployment's, widened by its Crawl-delay. */
export function hostInterval(row: Pick<HostRow, "minIntervalMs" | "crawlDelayMs"> | null, defaultMs: number): number {
  return Math.max(row?.minIntervalMs ?? defaultMs, row?.crawlDelayMs ?? 0, 1);
}

export type RobotsDecision = { allowed: true } | { allowed: false; reason: string };

/** The cached robots.txt of a host, if it is still fresh at `nowMs`. */
export function freshRobots(row: HostRow | null, nowMs: number): RobotsPolicy | null {
  if (!row || row.robotsFetchedAt === null || nowMs - row.robotsFetchedAt >= ROBOTS_TTL_MS) return null;
  return policyForResponse(row.robotsStatus, row.robotsBody);
}

/**
 * GET `<origin>/robots.txt` as RFC 9309 §2.3 asks: at most 5 redirects followed (each hop
 * checked by `refusalReason`), the fetcher's timeout, 500 KiB read. `status` is null when the
 * file was unreachable (network error, timeout, a refused hop, too many redirects).
 */
export async function fetchRobots(origin: string, options: Omit<FetchOptions, "etag" | "lastModified">): Promise<{ status: number | null; body: string | null }> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 20_000);
  let current = new URL("/robots.txt", origin).toString();
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (refusalReason(current, options.allowLoopback)) return { status: null, body: null };
      const response = await fetch(requestUrlFor(current, options.replayOrigin), {
        headers: { "User-Agent": USER_AGENT, Accept: "text/plain,*/*;q=0.5" },
        redirect: "manual",
        signal,
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get("Location");
        if (!location) return { status: null, body: null };
        const next = new URL(location, current);
        if (next.protocol !== "http:" && next.protocol !== "https:") return { status: null, body: null };
        current = next.toString();
        continue;
      }
      if (response.status < 200 || response.status >= 300) {
        await response.body?.cancel();
        return { status: response.status, body: null };
      }
      const bytes = await readBody(response.body, ROBOTS_MAX_BYTES, "cut");
      return { status: response.status, body: new TextDecoder().decode(bytes) };
    }
    // §2.3.1.2: past five redirects the file MAY be taken as unavailable; Redline takes the safe side.
    return { status: null, body: null };
  } catch {
    return { status: null, body: null };
  }
}

/** What a check needs of a host's politeness: the robots verdict for a URL, and the push-back after a Retry-After. */
export interface Politeness {
  /** The verdict of the host's robots.txt for `url`; fetches and caches the file when the cached one (`row`) is stale. */
  robots(url: string, row: HostRow | null | undefined, nowMs: number): Promise<RobotsDecision>;
  /** The host asked (Retry-After on a 429/503) not to be asked again before `untilMs`. */
  pushBack(host: string, untilMs: number, nowMs: number): Promise<void>;
}

export function politenessFor(store: RedlineStore, fetchOptions: Omit<FetchOptions, "etag" | "lastModified">): Politeness {
  return {
    async robots(url, row, nowMs) {
      const target = new URL(url);
      const host = target.hostname;
      // `undefined`: the caller holds no host row (a first capture); `null`: it read that there is none.
      const known = row === undefined ? await store.getHost(host) : row;
      let policy = freshRobots(known, nowMs);
      if (!policy) {
        const fetched = await fetchRobots(target.origin, fetchOptions);
        policy = policyForResponse(fetched.status, fetched.body);
        const delay = crawlDelaySeconds(policy, ROBOTS_USER_AGENT);
        await store.putRobots(host, { status: fetched.status, body: fetched.body, fetchedAt: nowMs, crawlDelayMs: delay === null ? null : Math.round(delay * 1000) });
      }
      const verdict = robotsVerdict(policy, ROBOTS_USER_AGENT, `${target.pathname}${target.search}`);
      if (verdict.allowed) return { allowed: true };
      const reason = policy.blanket
        ? `robots.txt of ${host}: ${verdict.rule}`
        : `robots.txt of ${host} disallows ${target.pathname}${target.search} for ${ROBOTS_USER_AGENT} ("${verdict.rule}")`;
      return { allowed: false, reason };
    },
    async pushBack(host, untilMs, nowMs) {
      await store.pushHostBack(host, Math.min(untilMs, nowMs + HOST_PUSHBACK_CAP_MS));
    },
  };
}
