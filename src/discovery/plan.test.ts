import { describe, expect, it } from "vitest";
import type { HostRow } from "../storage/store";
import { entryVerdict } from "./filter";
import type { DiscoveredEntry } from "./model";
import {
  failedRetryAt,
  planEntries,
  screenEntries,
  sourceOutcome,
  spaceDiscoveries,
  SOURCE_ENTRIES_READ,
  type Candidate,
  type KnownEntry,
} from "./plan";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const entry = (url: string, fields: Partial<DiscoveredEntry> = {}): DiscoveredEntry => ({ url, title: null, summary: null, publishedAt: null, updatedAt: null, ...fields });
const candidate = (url: string): Candidate => ({ url, host: new URL(url).hostname, entryTitle: null });
const keepAll = () => null;

describe("screenEntries", () => {
  it("normalises each URL, refuses other schemes, private addresses and malformed URLs, and drops duplicates, in the source's order", () => {
    const { candidates, skipped } = screenEntries(
      [
        entry("https://EN.yna.co.kr/view/AEN1?utm_source=rss#top", { title: "First" }),
        entry("javascript:alert(1)"),
        entry("http://10.0.0.7/admin"),
        entry("not a url"),
        entry("https://en.yna.co.kr/view/AEN1"),
        entry("https://en.yna.co.kr/view/AEN2"),
      ],
      keepAll,
      false,
    );
    expect(candidates).toEqual([
      { url: "https://en.yna.co.kr/view/AEN1", host: "en.yna.co.kr", entryTitle: "First" },
      { url: "https://en.yna.co.kr/view/AEN2", host: "en.yna.co.kr", entryTitle: null },
    ]);
    expect(skipped).toEqual([
      { url: "javascript:alert(1)", reason: "refused-url", detail: "only http and https URLs can be tracked, not javascript:" },
      { url: "http://10.0.0.7/admin", reason: "refused-url", detail: "host 10.0.0.7 is in 10.0.0.0/8, private-use (RFC 1918)" },
      { url: "not a url", reason: "refused-url", detail: '`url` is not a valid absolute URL: "not a url"' },
      { url: "https://en.yna.co.kr/view/AEN1", reason: "duplicate", detail: "listed earlier in the same source" },
    ]);
  });

  it("lets loopback and .test hosts through only when loopback is allowed", () => {
    const entries = [entry("http://127.0.0.1:8788/a"), entry("https://fixtures.redline.test/b")];
    expect(screenEntries(entries, keepAll, true).candidates.map((c) => c.url)).toEqual(["http://127.0.0.1:8788/a", "https://fixtures.redline.test/b"]);
    expect(screenEntries(entries, keepAll, false).skipped.map((s) => s.reason)).toEqual(["refused-url", "refused-url"]);
  });

  it("applies the source's filter to the normalised URL and reports its reason", () => {
    const verdict = (e: DiscoveredEntry) => entryVerdict(e, { exclude: ["/sports/*"], keywords: ["방위비"] }, NOW);
    const { candidates, skipped } = screenEntries(
      [
        entry("https://english.hani.co.kr/sports/1?utm_medium=x", { title: "방위비 분담금" }),
        entry("https://english.hani.co.kr/arti/2", { title: "방위비 분담금 협상" }),
        entry("https://english.hani.co.kr/arti/3", { title: "Weather" }),
      ],
      verdict,
      false,
    );
    expect(candidates.map((c) => c.url)).toEqual(["https://english.hani.co.kr/arti/2"]);
    expect(skipped.map(({ url, reason }) => ({ url, reason }))).toEqual([
      { url: "https://english.hani.co.kr/sports/1", reason: "excluded" },
      { url: "https://english.hani.co.kr/arti/3", reason: "no-keyword" },
    ]);
  });

  it("reads the newest SOURCE_ENTRIES_READ entries and reports the unread tail as one over-limit entry", () => {
    const entries = Array.from({ length: SOURCE_ENTRIES_READ + 250 }, (_, i) => entry(`https://a.example.com/story/${i}`));
    const { candidates, skipped } = screenEntries(entries, keepAll, false);
    expect(candidates).toHaveLength(SOURCE_ENTRIES_READ);
    expect(candidates.at(-1)!.url).toBe(`https://a.example.com/story/${SOURCE_ENTRIES_READ - 1}`);
    expect(skipped).toEqual([
      { url: `https://a.example.com/story/${SOURCE_ENTRIES_READ}`, reason: "over-limit", detail: `this and the 249 entries after it are past the ${SOURCE_ENTRIES_READ} a check reads` },
    ]);
  });
});

describe("planEntries", () => {
  const urls = Array.from({ length: 8 }, (_, i) => `https://a.example.com/story/${i}`);
  const known = (state: KnownEntry["state"], retryAt: number | null, lastError: string | null = null): KnownEntry => ({ state, foundAt: NOW - HOUR, retryAt, lastError });

  it("queues new entries and links existing articles, and leaves every entry stored before to the dispatcher, reporting a failed one", () => {
    const plan = planEntries(
      urls.slice(0, 7).map(candidate),
      new Map([
        [urls[1]!, known("tracked", null)],
        [urls[2]!, known("queued", NOW + MINUTE)],
        [urls[3]!, known("queued", NOW - MINUTE)],
        [urls[4]!, known("failed", NOW - MINUTE, "first capture of \"y\" failed: the page answered HTTP 404")],
        [urls[5]!, known("failed", NOW + HOUR, "first capture of \"x\" failed: the page answered HTTP 500")],
      ]),
      new Set([urls[6]!]),
    );
    expect(plan).toEqual({
      link: [candidate(urls[6]!)],
      queue: [candidate(urls[0]!)],
      skipped: [
        { url: urls[4], reason: "capture-failed", detail: `first capture of "y" failed: the page answered HTTP 404; retried after ${new Date(NOW - MINUTE).toISOString()}` },
        { url: urls[5], reason: "capture-failed", detail: `first capture of "x" failed: the page answered HTTP 500; retried after ${new Date(NOW + HOUR).toISOString()}` },
      ],
    });
  });

  it("reports a robots.txt refusal as robots and a failure given up as not retried", () => {
    const plan = planEntries(
      [candidate(urls[0]!), candidate(urls[1]!)],
      new Map([
        [urls[0]!, known("failed", NOW + HOUR, "robots.txt of a.example.com disallows /story/0")],
        [urls[1]!, known("failed", null, "gone")],
      ]),
      new Set(),
    );
    expect(plan.skipped).toEqual([
      { url: urls[0], reason: "robots", detail: `robots.txt of a.example.com disallows /story/0; retried after ${new Date(NOW + HOUR).toISOString()}` },
      { url: urls[1], reason: "capture-failed", detail: "gone; not retried" },
    ]);
  });

  it("takes at most `limit` new entries newest first, counting links and queued alike, and leaves the rest over-limit; entries stored before do not count", () => {
    const plan = planEntries(urls.map(candidate), new Map([[urls[1]!, known("queued", NOW - MINUTE)]]), new Set([urls[2]!]), 3);
    expect(plan.queue.map((c) => c.url)).toEqual([urls[0], urls[3]]);
    expect(plan.link.map((c) => c.url)).toEqual([urls[2]]);
    expect(plan.skipped).toEqual(urls.slice(4).map((url) => ({ url, reason: "over-limit", detail: "past the 3 new entries a check takes; the next check takes it" })));
  });
});

describe("failedRetryAt", () => {
  it("waits as long as the entry has been known, at least 15 minutes and at most a day, and gives up after a week", () => {
    expect(failedRetryAt(NOW - MINUTE, NOW)).toBe(NOW + 15 * MINUTE);
    expect(failedRetryAt(NOW - 3 * HOUR, NOW)).toBe(NOW + 3 * HOUR);
    expect(failedRetryAt(NOW - 3 * DAY, NOW)).toBe(NOW + DAY);
    expect(failedRetryAt(NOW - 7 * DAY, NOW)).toBeNull();
  });
});

describe("spaceDiscoveries", () => {
  const host = (fields: Partial<HostRow>): HostRow => ({
    host: "a.example.com",
    nextAllowedAt: 0,
    bookedUntil: 0,
    minIntervalMs: null,
    robotsStatus: null,
    robotsBody: null,
    robotsFetchedAt: null,
    crawlDelayMs: null,
    ...fields,
  });

  it("spaces each host's captures by its interval after its booking, and books it to the end of its last slot", () => {
    const candidates = [candidate("https://a.example.com/1"), candidate("https://b.example.com/1"), candidate("https://a.example.com/2"), candidate("https://a.example.com/3")];
    const hosts = new Map([["a.example.com", host({ bookedUntil: NOW + 4500, crawlDelayMs: 10_000 })]]);
    const { slots, bookings } = spaceDiscoveries(candidates, hosts, NOW, 1000);
    expect(slots.map(({ candidate: c, delaySeconds, notBefore }) => [c.url, delaySeconds, notBefore - NOW])).toEqual([
      ["https://a.example.com/1", 5, 5000],
      ["https://b.example.com/1", 0, 0],
      ["https://a.example.com/2", 15, 15_000],
      ["https://a.example.com/3", 25, 25_000],
    ]);
    expect(bookings).toEqual(new Map([["a.example.com", NOW + 35_000], ["b.example.com", NOW + 1000]]));
  });

  it("starts after a Retry-After push-back (next allowed time) when it is later than the booking", () => {
    const { slots } = spaceDiscoveries([candidate("https://a.example.com/1")], new Map([["a.example.com", host({ nextAllowedAt: NOW + 120_000, bookedUntil: NOW + 1000 })]]), NOW, 1000);
    expect(slots[0]!.delaySeconds).toBe(120);
  });
});

describe("sourceOutcome", () => {
  const source = { intervalMs: 15 * MINUTE, consecutiveFailures: 0 };

  it("makes a read source active and due after its interval, clearing its failures", () => {
    expect(sourceOutcome({ ...source, consecutiveFailures: 3 }, { ok: true }, NOW)).toEqual({ status: "active", nextCheckAt: NOW + 15 * MINUTE, consecutiveFailures: 0, lastError: null });
  });

  it("makes a failed source failing with its error, backed off 15 min × 2^(failures − 1) or as long as Retry-After asks", () => {
    expect(sourceOutcome({ ...source, consecutiveFailures: 2 }, { ok: false, error: "HTTP 404" }, NOW)).toEqual({
      status: "failing",
      nextCheckAt: NOW + 60 * MINUTE,
      consecutiveFailures: 3,
      lastError: "HTTP 404",
    });
    expect(sourceOutcome(source, { ok: false, error: "HTTP 503", retryAfter: { delaySeconds: 7200 } }, NOW).nextCheckAt).toBe(NOW + 2 * HOUR);
  });
});
