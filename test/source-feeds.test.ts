/** GET /feeds/sources/<id>.atom|.rss|.json: the change feed of the articles one source found. */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app";
import { adHocOrigin, answerWith } from "./ad-hoc-origin";
import { ADMIN, api, check, getRaw, instrumented, reset, SEED_URLS, serveTimelineEntry, track } from "./helpers";

const FEED = "https://fixtures.redline.test/feeds/korea.xml";
const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Korea desk</title><link>https://fixtures.redline.test/</link><description>d</description></channel></rss>`;

let sourceId: string;
let found: string;
let other: string;

/** As a source check's commit links an article to the source that found it. */
async function link(articleId: string, foundAt: string): Promise<void> {
  await env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at, entry_title) VALUES (?, ?, ?, ?, ?)")
    .bind(articleId, sourceId, FEED, foundAt, null)
    .run();
}

beforeEach(async () => {
  await reset();
  adHocOrigin().serve(FEED, answerWith(RSS, "application/rss+xml"));
  sourceId = (await api("POST", "/api/sources", { body: { url: FEED } })).json.id;
  // One article the source found, with two versions; one article added by hand.
  await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
  found = (await track(SEED_URLS.hankyoreh1stRound)).json.id;
  await link(found, "2019-12-01T00:00:00.000Z");
  await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 2);
  expect((await check(found)).json.outcome).toBe("new-version");
  await serveTimelineEntry(SEED_URLS.yonhap, 1);
  other = (await track(SEED_URLS.yonhap)).json.id;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("per-source change feeds", () => {
  it("lists the changes of the articles the source found, newest first, in each format", async () => {
    const expected = (await api("GET", `/api/changes`)).json.items.filter((change: { articleId: string }) => change.articleId === found);
    expect(expected).toHaveLength(2);
    for (const [format, type] of [["atom", "application/atom+xml"], ["rss", "application/rss+xml"], ["json", "application/feed+json"]] as const) {
      const response = await getRaw(`/feeds/sources/${sourceId}.${format}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe(`${type}; charset=utf-8`);
      const body = await response.text();
      for (const change of expected) expect(body).toContain(`urn:redline:change:${change.id}`);
      expect(body).not.toContain(`urn:redline:change:${other}-1`);
    }
    const feed = JSON.parse(await (await getRaw(`/feeds/sources/${sourceId}.json`)).text());
    expect(feed.title).toBe("Redline: articles found by Korea desk");
    expect(feed.home_page_url).toBe(`http://redline.test/api/articles?source=${sourceId}`);
    expect(feed.items.map((item: { id: string }) => item.id)).toEqual(expected.map((change: { id: string }) => `urn:redline:change:${change.id}`));
  });

  it("pages with ?limit= and a next link, and answers a matching If-None-Match with 304", async () => {
    const first = JSON.parse(await (await getRaw(`/feeds/sources/${sourceId}.json?limit=1`)).text());
    expect(first.items).toHaveLength(1);
    const second = JSON.parse(await (await getRaw(new URL(first.next_url).pathname + new URL(first.next_url).search)).text());
    expect(second.items).toHaveLength(1);
    expect(second.next_url).toBeUndefined();
    const response = await getRaw(`/feeds/sources/${sourceId}.atom`);
    const etag = response.headers.get("ETag")!;
    expect((await getRaw(`/feeds/sources/${sourceId}.atom`, { "If-None-Match": etag })).status).toBe(304);
  });

  it("keeps a deleted source's feed while its articles say it found them", async () => {
    await api("DELETE", `/api/sources/${sourceId}`);
    const feed = JSON.parse(await (await getRaw(`/feeds/sources/${sourceId}.json`)).text());
    expect(feed.title).toBe(`Redline: articles found by source ${sourceId}`);
    expect(feed.items).toHaveLength(2);
  });

  it("answers 404 for a source that never existed, and the path is not an id otherwise", async () => {
    const unknown = await api("GET", "/feeds/sources/0123456789abcdef.atom");
    expect(unknown.status).toBe(404);
    expect(unknown.json.detail).toBe('No source with id "0123456789abcdef".');
    expect((await getRaw("/feeds/sources/korea.atom")).status).toBe(404);
  });

  it("costs two D1 statements and no KV read for a page of changes without a redline, whatever the other articles", async () => {
    const probe = instrumented();
    const response = await app.fetch(new Request(`http://redline.test/feeds/sources/${sourceId}.json?kinds=created`, { headers: ADMIN }), probe.env);
    expect(response.status).toBe(200);
    expect(probe.d1.trips.map((trip) => trip.join(", ")).sort()).toEqual(["SELECT changes", "SELECT sources"]);
    expect(probe.counts.kvReads).toBe(0);
  });
});
