/** trackDays end to end: an article a source found is retired that many days after, keeps its history, and is resumed by asking for it. */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { articleIdFor } from "../src/fetching/url";
import type { DiscoverMessage } from "../src/queues/messages";
import { checkArticle, trackerFor, trackNewArticle } from "../src/tracking";
import { adHocOrigin, answerWith } from "./ad-hoc-origin";
import { api, check, reset, SEED_URLS, serveTimelineEntry, track } from "./helpers";
import { captureChecks, drain } from "./queue-helpers";

const DAY = 24 * 60 * 60 * 1000;
const URL_ = SEED_URLS.yonhap;

/** The article as a source with trackDays 1 creates it: its first capture with retireAt one day on. */
async function foundWithTrackDays(nowMs: number): Promise<string> {
  await serveTimelineEntry(URL_, 1);
  const id = await articleIdFor(URL_);
  const result = await trackNewArticle(trackerFor(env), { id, url: URL_, retireAt: nowMs + DAY }, nowMs);
  expect(result.outcome).toBe("created");
  return id;
}

async function checkAt(id: string, nowMs: number) {
  const tracker = trackerFor(env);
  return checkArticle(tracker, (await tracker.store.getHead(id))!, nowMs);
}

beforeEach(async () => {
  await reset();
});

describe("retirement after a source's trackDays", () => {
  it("end to end: a source with trackDays 1 finds the article, its consumer creates it with retireAt a day on, and a check after that retires it", async () => {
    const feed = "https://fixtures.redline.test/feeds/retire.xml";
    const origin = adHocOrigin();
    origin.serve(
      feed,
      answerWith(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>Retiring</title><link>https://fixtures.redline.test/</link><description>d</description>
         <item><title>Yonhap story</title><link>${URL_}</link></item></channel></rss>`,
        "application/rss+xml",
      ),
    );
    const queue = captureChecks();
    await serveTimelineEntry(URL_, 1);
    const source = (await api("POST", "/api/sources", { body: { url: feed, trackDays: 1 } })).json;
    const checked = await api("POST", `/api/sources/${source.id}/check`);
    const id = await articleIdFor(URL_);
    expect(checked.json.tracked).toEqual([id]);
    const discover = queue.pending[0]!.body as DiscoverMessage;
    expect(discover.type).toBe("discover");
    const { foundAt } = discover;
    await drain(queue);
    queue.spies.forEach((spy) => spy.mockRestore());
    vi.restoreAllMocks();

    const article = (await api("GET", `/api/articles/${id}`)).json;
    expect(article).toMatchObject({ status: "active", tracking: true, versionCount: 1, retireAt: new Date(foundAt + DAY).toISOString() });
    expect(article.sources.map((found: { id: string }) => found.id)).toEqual([source.id]);
    expect((await checkAt(id, foundAt + DAY)).outcome).toBe("retired");
    expect((await api("GET", `/api/articles/${id}`)).json).toMatchObject({ status: "retired", tracking: false, versionCount: 1 });
    expect((await api("GET", `/api/articles?source=${source.id}`)).json.items.map((item: { id: string; status: string }) => [item.id, item.status])).toEqual([[id, "retired"]]);
  });

  it("checks the article as usual until retireAt, then retires it without a request, keeping its history", async () => {
    const start = Date.now();
    const id = await foundWithTrackDays(start);
    expect((await api("GET", `/api/articles/${id}`)).json).toMatchObject({ status: "active", tracking: true, retireAt: new Date(start + DAY).toISOString() });
    await serveTimelineEntry(URL_, 2);
    expect((await checkAt(id, start + DAY - 1)).outcome).toBe("new-version");

    const fetches = vi.spyOn(globalThis, "fetch");
    const retired = await checkAt(id, start + DAY);
    expect(fetches).not.toHaveBeenCalled();
    fetches.mockRestore();
    expect({ outcome: retired.outcome, changed: retired.changed, change: retired.change, error: retired.error }).toEqual({ outcome: "retired", changed: false, change: null, error: null });

    const article = (await api("GET", `/api/articles/${id}`)).json;
    expect(article).toMatchObject({ status: "retired", tracking: false, nextCheckAt: null, versionCount: 2 });
    expect((await api("GET", `/api/articles/${id}/versions`)).json.items.map((v: { n: number }) => v.n)).toEqual([1, 2]);
    expect((await api("GET", `/api/articles/${id}/versions/2`)).status).toBe(200);
    expect((await api("GET", "/api/status")).json.articles).toMatchObject({ total: 1, tracking: 0, active: 0, retired: 1 });
  });

  it("records no change for the retirement: the change list is the publisher's edits only", async () => {
    const start = Date.now();
    const id = await foundWithTrackDays(start);
    const changesBefore = (await api("GET", "/api/changes")).json.items;
    await checkAt(id, start + 2 * DAY);
    expect((await api("GET", "/api/changes")).json.items).toEqual(changesBefore);
  });

  it("is resumed by a manual check: tracked until stopped, active, retireAt cleared, and checked at once", async () => {
    const start = Date.now();
    const id = await foundWithTrackDays(start);
    await checkAt(id, start + DAY);
    await serveTimelineEntry(URL_, 2);
    const { status, json } = await check(id);
    expect(status).toBe(200);
    expect(json.outcome).toBe("new-version");
    expect(json.article).toMatchObject({ status: "active", tracking: true, retireAt: null, versionCount: 2 });
    expect((await api("GET", "/api/status")).json.articles).toMatchObject({ tracking: 1, active: 1, retired: 0 });
  });

  it("is resumed by POSTing its URL again", async () => {
    const start = Date.now();
    const id = await foundWithTrackDays(start);
    await checkAt(id, start + DAY);
    const { status, json } = await track(URL_);
    expect(status).toBe(200);
    expect(json).toMatchObject({ id, status: "active", tracking: true, retireAt: null });
  });

  it("does not retire an article added by hand", async () => {
    await serveTimelineEntry(URL_, 1);
    const { id } = (await track(URL_)).json;
    expect((await checkAt(id, Date.now() + 3650 * DAY)).outcome).not.toBe("retired");
  });

  it("leaves a stopped article alone: a manual check of a stopped, unretired article is still a 409", async () => {
    const start = Date.now();
    const id = await foundWithTrackDays(start);
    await api("DELETE", `/api/articles/${id}`);
    expect((await check(id)).status).toBe(409);
  });
});
