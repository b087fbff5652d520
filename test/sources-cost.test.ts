/**
 * What the source catalog's operations cost (docs/storage.md, "What each operation costs"): D1
 * statements per round trip, the rows D1 reports, KV operations and fetches, measured on
 * instrumented bindings. Setup runs on the plain bindings; only the measured call is counted.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app";
import type { Env } from "../src/env";
import { articleIdFor } from "../src/fetching/url";
import { checkArticle, trackerFor, trackNewArticle } from "../src/tracking";
import { adHocOrigin, answerWith, type AdHocOrigin } from "./ad-hoc-origin";
import { ADMIN, instrumented, reset, SEED_URLS, serveTimelineEntry } from "./helpers";

const FEED = "https://fixtures.redline.test/feeds/cost.xml";
const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Cost</title><link>https://fixtures.redline.test/</link><description>d</description></channel></rss>`;
const DAY = 24 * 60 * 60 * 1000;

let origin: AdHocOrigin;

beforeEach(async () => {
  await reset();
  origin = adHocOrigin();
  origin.serve(FEED, answerWith(RSS, "application/rss+xml"));
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function measure(work: (counted: Env) => Promise<unknown>) {
  const probe = instrumented();
  await work(probe.env);
  return { kv: probe.counts.kvReads + probe.counts.kvWrites, trips: probe.d1.trips, rowsRead: probe.d1.rowsRead, rowsWritten: probe.d1.rowsWritten };
}

async function call(counted: Env, method: string, path: string, body?: string): Promise<number> {
  const response = await app.fetch(new Request(`http://redline.test${path}`, { method, headers: ADMIN, body }), counted);
  await response.arrayBuffer();
  return response.status;
}

/** The source, added through the API on the plain bindings; its id. */
async function added(): Promise<string> {
  expect(await call(env, "POST", "/api/sources", JSON.stringify({ url: FEED }))).toBe(201);
  return articleIdFor(FEED);
}

/** An article the source found with trackDays 1 (created as the discover consumer creates it, linked as its commit links it). */
async function foundArticle(sourceId: string, nowMs: number): Promise<string> {
  await serveTimelineEntry(SEED_URLS.yonhap, 1);
  const id = await articleIdFor(SEED_URLS.yonhap);
  await trackNewArticle(trackerFor(env), { id, url: SEED_URLS.yonhap, retireAt: nowMs + DAY }, nowMs);
  await env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at, entry_title) VALUES (?, ?, ?, ?, ?)")
    .bind(id, sourceId, FEED, "2019-12-18T00:00:00.000Z", "t")
    .run();
  return id;
}

const opmlOf = (n: number) =>
  `<?xml version="1.0"?><opml version="2.0"><head/><body>${Array.from({ length: n }, (_, k) => `<outline type="rss" text="f${k}" xmlUrl="https://fixtures.redline.test/feeds/${k}.xml"/>`).join("")}</body></opml>`;

describe("what the source catalog costs", () => {
  it("POST /api/sources of a new source on a new host: the look-up, the host claim, robots.txt stored, one fetch, the insert and its read in one batch", async () => {
    expect(await measure((e) => call(e, "POST", "/api/sources", JSON.stringify({ url: FEED })))).toEqual({
      kv: 0,
      trips: [["SELECT sources"], ["INSERT hosts", "SELECT hosts"], ["INSERT hosts"], ["INSERT sources", "SELECT sources"]],
      rowsRead: 8,
      rowsWritten: 6,
    });
    expect(origin.requested).toEqual([FEED]);
  });

  it("POST /api/sources of a source already there is its look-up alone", async () => {
    await added();
    expect(await measure((e) => call(e, "POST", "/api/sources", JSON.stringify({ url: FEED })))).toEqual({ kv: 0, trips: [["SELECT sources"]], rowsRead: 1, rowsWritten: 0 });
  });

  it("an OPML import is one batch of two statements whatever the number of outlines", async () => {
    const three = await measure((e) => call(e, "POST", "/api/sources/opml", opmlOf(3)));
    await reset();
    const thirty = await measure((e) => call(e, "POST", "/api/sources/opml", opmlOf(30)));
    expect(three).toEqual({ kv: 0, trips: [["INSERT sources", "SELECT sources"]], rowsRead: 18, rowsWritten: 9 });
    expect(thirty).toEqual({ kv: 0, trips: [["INSERT sources", "SELECT sources"]], rowsRead: 180, rowsWritten: 90 });
  });

  it("PATCH reads the source, then one UPDATE … RETURNING; DELETE reads it, then one batch deleting its entries and its row", async () => {
    const id = await added();
    expect(await measure((e) => call(e, "PATCH", `/api/sources/${id}`, JSON.stringify({ status: "paused" })))).toEqual({
      kv: 0,
      trips: [["SELECT sources"], ["UPDATE sources"]],
      rowsRead: 3,
      rowsWritten: 2,
    });
    expect(await measure((e) => call(e, "DELETE", `/api/sources/${id}`))).toEqual({ kv: 0, trips: [["SELECT sources"], ["DELETE source_entries", "DELETE sources"]], rowsRead: 2, rowsWritten: 1 });
  });

  it("an article's sources are one query on its article_sources rows, joined to their sources, beside the head; a source's articles one query on its index", async () => {
    const id = await added();
    const articleId = await foundArticle(id, Date.now());
    expect(await measure((e) => call(e, "GET", `/api/articles/${articleId}`))).toEqual({ kv: 0, trips: [["SELECT articles"], ["SELECT article_sources"]], rowsRead: 6, rowsWritten: 0 });
    expect(await measure((e) => call(e, "GET", `/api/articles?source=${id}`))).toEqual({ kv: 0, trips: [["SELECT article_sources"]], rowsRead: 3, rowsWritten: 0 });
  });

  it("the article page reads what found it in one query whatever the number of sources, a deleted one included: no read per source", async () => {
    const id = await added();
    const articleId = await foundArticle(id, Date.now());
    const trips = [["SELECT articles"], ["SELECT versions"], ["SELECT changes"], ["SELECT article_sources"]];
    const one = await measure(async (e) => expect(await call(e, "GET", `/articles/${articleId}`)).toBe(200));
    expect(one).toEqual({ kv: 0, trips, rowsRead: 8, rowsWritten: 0 });
    // A second row, of a source deleted since (no sources row): the same round trips (D1 reports 2 more rows read).
    await env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at, entry_title) VALUES (?, ?, ?, ?, ?)")
      .bind(articleId, "0123456789abcdef", "https://fixtures.redline.test/feeds/gone.xml", "2019-12-19T00:00:00.000Z", null)
      .run();
    const two = await measure(async (e) => expect(await call(e, "GET", `/articles/${articleId}`)).toBe(200));
    expect(two).toEqual({ kv: 0, trips, rowsRead: 10, rowsWritten: 0 });
  });

  it("a check that retires an article is its UPDATE alone: no fetch, no robots.txt, the stats row moved", async () => {
    const now = Date.now();
    const articleId = await foundArticle(await added(), now);
    const head = (await trackerFor(env).store.getHead(articleId))!;
    // The ad-hoc origin's spy on fetch, its setup calls forgotten.
    const fetches = vi.spyOn(globalThis, "fetch");
    fetches.mockClear();
    expect(await measure((e) => checkArticle(trackerFor(e), head, now + DAY))).toEqual({ kv: 0, trips: [["UPDATE articles"]], rowsRead: 2, rowsWritten: 3 });
    expect(fetches).not.toHaveBeenCalled();
  });
});
