/**
 * Hostile and broken sources (issue 14): each gives a clear outcome on the source — `failing`
 * with `lastError`, or skipped entries with their reasons — never a crash, never a lost article.
 * The sources are served by the ad-hoc origin (test/ad-hoc-origin.ts), which also records every
 * URL the worker asked for, so a test can say what was never fetched.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkSourceNow, type SourceCheckResult } from "../src/discovery/check-source";
import type { DiscoverMessage } from "../src/queues/messages";
import { trackerFor } from "../src/tracking";
import { answerWith } from "./ad-hoc-origin";
import { reset } from "./helpers";
import { consume } from "./queue-helpers";
import { DAY, entryRows, FEED, HOUR, insertSource, MINUTE, rss, sourceRow, storyUrl, T, useSourceCheckBed } from "./source-helpers";

const RSS = "application/rss+xml";

const bed = useSourceCheckBed();

/** Checks the source now (as the API does) and returns what the check answered. */
async function checkAt(id: string, at = T): Promise<SourceCheckResult> {
  const answer = await checkSourceNow(trackerFor(env), id, at, env);
  if (answer.kind !== "checked") throw new Error(`not checked: ${JSON.stringify(answer)}`);
  return answer.result;
}

/** The source served `body`, then checked once: what it answered, and its row. */
async function checked(body: string, contentType = RSS, fields: Partial<Parameters<typeof insertSource>[0]> = {}) {
  bed.origin.serve(FEED, answerWith(body, contentType));
  const id = await insertSource({ url: FEED, nextCheckAt: T, ...fields });
  return { id, result: await checkAt(id), row: await sourceRow(id) };
}

const failed = (error: string) => ({ outcome: "failed", found: 0, linked: [], queued: [], skipped: [], error });
const failingRow = (error: string, failures = 1, nextCheckAt = T + 15 * MINUTE) => ({ status: "failing", last_error: error, consecutive_failures: failures, next_check_at: nextCheckAt, entries_seen: 0 });
const discovered = () => bed.queue.pending.filter((m) => m.body.type === "discover").map((m) => (m.body as DiscoverMessage).url);

describe("XML that must not be read", () => {
  it("refuses a billion-laughs feed unread: failing, nothing expanded, nothing stored", async () => {
    const laughs = Array.from({ length: 9 }, (_, n) => `<!ENTITY lol${n + 1} "${`&lol${n};`.repeat(10)}">`).join("");
    const { id, result, row } = await checked(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">${laughs}]><rss version="2.0"><channel><title>&lol9;</title></channel></rss>`);
    const error = `${FEED} declares XML entities in its DOCTYPE; refused unread (entities are never expanded nor fetched)`;
    expect(result).toEqual(failed(error));
    expect(row).toMatchObject(failingRow(error));
    expect(await entryRows(id)).toEqual([]);
  });

  it("refuses a feed with an external entity and never fetches the entity's URL", async () => {
    const secret = "https://evil.redline.test/secret";
    bed.origin.serve(secret, answerWith("leaked", "text/plain"));
    const { result } = await checked(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "${secret}">]><rss version="2.0"><channel><title>&xxe;</title><item><link>${storyUrl(1)}</link></item></channel></rss>`);
    expect(result.error).toBe(`${FEED} declares XML entities in its DOCTYPE; refused unread (entities are never expanded nor fetched)`);
    expect(bed.origin.requested.filter((url) => !url.endsWith("/robots.txt"))).toEqual([FEED]);
    expect(discovered()).toEqual([]);
  });

  it("marks a source with malformed XML failing with the parser's position", async () => {
    const { result, row } = await checked(`<?xml version="1.0"?><rss version="2.0"><channel><item><link>${storyUrl(1)}</link></channel></rss>`);
    const error = `${FEED} is malformed XML: Expected closing tag 'item' (opened in line 1, col 50) instead of closing tag 'channel'. (line 1, column 122)`;
    expect(result).toEqual(failed(error));
    expect(row).toMatchObject(failingRow(error));
  });

  it("marks an RSS source that serves an HTML page failing, reading none of its links", async () => {
    const { result } = await checked(`<!doctype html><html><head><title>Home</title></head><body><a href="${storyUrl(1)}">A story</a></body></html>`, "text/html");
    expect(result).toEqual(failed(`${FEED} is an HTML page, not an RSS feed`));
  });
});

describe("sources too large or too long", () => {
  it("stops reading a 50 MB feed at the 10 MiB cap: failing, the rest of the body never pulled", async () => {
    const chunk = new TextEncoder().encode(`<item><link>${storyUrl(1)}</link></item>`.repeat(20_000).slice(0, 1024 * 1024));
    let pulled = 0;
    bed.origin.serve(FEED, () => {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled === 50) return controller.close();
          pulled++;
          controller.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { "Content-Type": RSS } });
    });
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    const result = await checkAt(id);
    expect(result).toEqual(failed("source larger than 10485760 bytes"));
    expect(await sourceRow(id)).toMatchObject(failingRow("source larger than 10485760 bytes"));
    // 10 MiB is 10 chunks; the stream may be a chunk or two ahead of the reader, never 50.
    expect(pulled).toBeLessThanOrEqual(12);
  });

  it("takes 50 entries of a 100,000-entry feed per check, newest first, and the next 50 on the next check", async () => {
    const url = (n: number) => `https://x.redline.test/a/${n}`;
    const items = Array.from({ length: 100_000 }, (_, n) => `<item><link>${url(n)}</link></item>`).join("");
    bed.origin.serve(FEED, answerWith(`<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>${items}</channel></rss>`, RSS));
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    const first = await checkAt(id);
    expect(first.found).toBe(100_000);
    expect(first.queued.map((q) => q.url)).toEqual(Array.from({ length: 50 }, (_, n) => url(n)));
    expect(first.skipped).toHaveLength(950 + 1);
    expect(first.skipped[0]).toEqual({ url: url(1000), reason: "over-limit", detail: "this and the 98999 entries after it are past the 1000 a check reads" });
    expect(first.skipped[1]).toEqual({ url: url(50), reason: "over-limit", detail: "past the 50 new entries a check takes; the next check takes it" });
    expect(await sourceRow(id)).toMatchObject({ status: "active", entries_seen: 100_000 });

    const second = await checkAt(id, T + 15 * MINUTE);
    expect(second.queued.map((q) => q.url)).toEqual(Array.from({ length: 50 }, (_, n) => url(50 + n)));
    expect(await entryRows(id)).toHaveLength(100);
    // Two reads of a 5.5 MB feed of 100,000 items take seconds in workerd on this machine.
  }, 120_000);
});

describe("entries that must not be tracked", () => {
  it("skips entry links to private addresses and other schemes, fetching none of them", async () => {
    const hostile = ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/admin", "file:///etc/passwd", "javascript:alert(1)", "http://[::ffff:192.168.0.1]/x"];
    const { result } = await checked(rss([...hostile.map((link) => ({ link })), { link: storyUrl(1) }]));
    expect(result.skipped).toEqual([
      { url: "http://169.254.169.254/latest/meta-data/", reason: "refused-url", detail: "host 169.254.169.254 is in 169.254.0.0/16, link-local (RFC 3927)" },
      { url: "http://10.1.2.3/admin", reason: "refused-url", detail: "host 10.1.2.3 is in 10.0.0.0/8, private-use (RFC 1918)" },
      { url: "file:///etc/passwd", reason: "refused-url", detail: "only http and https URLs can be tracked, not file:" },
      { url: "javascript:alert(1)", reason: "refused-url", detail: "only http and https URLs can be tracked, not javascript:" },
      { url: "http://[::ffff:c0a8:1]/x", reason: "refused-url", detail: expect.stringMatching(/^host \[::ffff:c0a8:1\] is /) },
    ]);
    expect(result.queued.map((q) => q.url)).toEqual([storyUrl(1)]);
    expect(bed.origin.requested.filter((url) => !url.startsWith("https://feeds.redline.test/"))).toEqual([]);
  });

  it("tracks a duplicated entry once and reports the repeats", async () => {
    const { id, result } = await checked(rss([{ link: storyUrl(1) }, { link: `${storyUrl(1)}&utm_source=rss` }, { link: `${storyUrl(1)}#comments` }]));
    expect(result.queued.map((q) => q.url)).toEqual([storyUrl(1)]);
    expect(result.skipped).toEqual([
      { url: storyUrl(1), reason: "duplicate", detail: "listed earlier in the same source" },
      { url: storyUrl(1), reason: "duplicate", detail: "listed earlier in the same source" },
    ]);
    expect(await entryRows(id)).toHaveLength(1);
  });

  it("takes entries with no date, unless maxAgeDays asks for one", async () => {
    const items = [{ link: storyUrl(1) }, { link: storyUrl(2), pubDate: new Date(T - HOUR) }, { link: storyUrl(3), pubDate: new Date(T - 3 * DAY) }];
    const plain = await checked(rss(items));
    expect(plain.result.queued.map((q) => q.url)).toEqual([storyUrl(2), storyUrl(3), storyUrl(1)]);

    await reset();
    const dated = await checked(rss(items), RSS, { filter: { maxAgeDays: 2 } });
    expect(dated.result.queued.map((q) => q.url)).toEqual([storyUrl(2)]);
    expect(dated.result.skipped.map(({ url, reason }) => ({ url, reason }))).toEqual([
      { url: storyUrl(3), reason: "too-old" },
      { url: storyUrl(1), reason: "no-date" },
    ]);
  });

  it("reads a sitemap index that lists itself once, reporting the loop, and its other child", async () => {
    const child = "https://feeds.redline.test/child.xml";
    bed.origin.serve(child, answerWith(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${storyUrl(1)}</loc></url></urlset>`, "application/xml"));
    const index = `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${FEED}</loc></sitemap><sitemap><loc>${child}</loc></sitemap></sitemapindex>`;
    const { result, row } = await checked(index, "application/xml", { type: "sitemap" });
    expect(result.queued.map((q) => q.url)).toEqual([storyUrl(1)]);
    expect(result.skipped).toEqual([{ url: FEED, reason: "duplicate", detail: "a sitemap this check has read already (an index that lists itself, or a repeated child)" }]);
    expect(bed.origin.requested.filter((url) => !url.endsWith("/robots.txt"))).toEqual([FEED, child]);
    expect(row).toMatchObject({ status: "active", entries_seen: 1 });
  });
});

describe("sources that answer with errors", () => {
  it("backs off a source that answers 503 with Retry-After, and holds its whole host back", async () => {
    bed.origin.serve(FEED, () => new Response("busy", { status: 503, headers: { "Retry-After": "3600" } }));
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    const result = await checkAt(id);
    expect(result).toEqual(failed("HTTP 503, Retry-After: 3600"));
    expect(await sourceRow(id)).toMatchObject(failingRow("HTTP 503, Retry-After: 3600", 1, T + HOUR));
    const host = await env.DB.prepare("SELECT next_allowed_at FROM hosts WHERE host = 'feeds.redline.test'").first<number>("next_allowed_at");
    expect(host).toBe(T + HOUR);
  });

  it("marks a source that answers 404 failing with back-off, and active again once it answers", async () => {
    bed.origin.serve(FEED, () => new Response("gone", { status: 404 }));
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    expect(await checkAt(id)).toEqual(failed("the source answered HTTP 404"));
    expect(await checkAt(id, T + 15 * MINUTE)).toEqual(failed("the source answered HTTP 404"));
    expect(await sourceRow(id)).toMatchObject(failingRow("the source answered HTTP 404", 2, T + 45 * MINUTE));

    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1) }]), RSS));
    await checkAt(id, T + 45 * MINUTE);
    expect(await sourceRow(id)).toMatchObject({ status: "active", last_error: null, consecutive_failures: 0, next_check_at: T + 60 * MINUTE, entries_seen: 1 });
  });

  it("marks a source whose stored filter no longer reads failing, fetching nothing", async () => {
    const id = await insertSource({ url: FEED, nextCheckAt: T, filter: { include: ["not a [pattern"] } });
    const error = 'its stored filter cannot be read: include[0] is not a URLPattern (an absolute one, or a pathname starting with "/"): "not a [pattern"';
    expect(await checkAt(id)).toEqual(failed(error));
    expect(await sourceRow(id)).toMatchObject(failingRow(error));
    expect(bed.origin.requested).toEqual([]);
  });

  it("never loses a queued entry to a failing source: its first capture still lands", async () => {
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1) }]), RSS));
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    await checkAt(id);
    bed.origin.serve(FEED, () => new Response("gone", { status: 404 }));
    await checkAt(id, T + 15 * MINUTE);
    await consume(bed.queue.pending.splice(0));
    expect((await entryRows(id)).map((row) => row.state)).toEqual(["tracked"]);
    expect(await sourceRow(id)).toMatchObject({ status: "failing", articles_tracked: 1 });
  });
});
