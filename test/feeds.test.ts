/**
 * The change feeds over HTTP: formats, filters, conditional GET and RFC 5005 paging. Every test
 * starts from one article with two versions (The Hankyoreh, 1st round): a first capture, then a
 * paragraph added.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { api, freshArticleWithTwoVersions, getRaw, SEED_URLS, serveTimelineEntry, track } from "./helpers";

describe("change feeds", () => {
  let id: string;

  beforeEach(async () => {
    id = await freshArticleWithTwoVersions();
  });

  it("serves Atom, RSS and JSON Feed with their media types and one entry per change", async () => {
    const changes = (await api("GET", "/api/changes")).json.items;
    expect(changes).toHaveLength(2);
    for (const [format, type] of [["atom", "application/atom+xml"], ["rss", "application/rss+xml"], ["json", "application/feed+json"]]) {
      const response = await getRaw(`/feeds/changes.${format}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toContain(type);
      expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
      const body = await response.text();
      for (const change of changes) expect(body).toContain(`urn:redline:change:${change.id}`);
    }
    const feed = JSON.parse(await (await getRaw("/feeds/changes.json")).text());
    expect(feed.version).toBe("https://jsonfeed.org/version/1.1");
    expect(feed.items[0]).toMatchObject({
      title: changes[0].title,
      summary: changes[0].summary,
      date_published: changes[0].detectedAt,
      url: `http://redline.test/api/articles/${id}/diff?from=1&to=2&format=html`,
      tags: changes[0].kinds,
    });
    expect(feed.items[0].content_html).toMatch(/^<section class="redline">.*<p class="added"><ins>/);
    expect(feed.items[1].url).toBe(`http://redline.test/api/articles/${id}/versions/1`);
    expect(feed.items[1].content_html).toBeUndefined();
  });

  it("answers 304 to a reader that already has the current feed", async () => {
    const first = await getRaw("/feeds/changes.atom");
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    const again = await getRaw("/feeds/changes.atom", { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe("");
  });

  it("filters entries by kind", async () => {
    const created = JSON.parse(await (await getRaw("/feeds/changes.json?kinds=created")).text());
    expect(created.items.map((item: { tags: string[] }) => item.tags)).toEqual([["created"]]);
    const edits = JSON.parse(await (await getRaw("/feeds/changes.json?kinds=body,title")).text());
    expect(edits.items).toHaveLength(1);
    expect(edits.items[0].tags).toContain("body");
  });

  it("filters entries by significance, and carries the score in JSON Feed", async () => {
    const scoresFiltered = async (query: string): Promise<number[]> =>
      JSON.parse(await (await getRaw(`/feeds/changes.json${query}`)).text()).items.map((item: { _redline: { significance: number } }) => item._redline.significance);
    // The added paragraph scores 0.28 (seed-diffs.test.ts), the first capture 1.
    expect(await scoresFiltered("")).toEqual([0.28, 1]);
    expect(await scoresFiltered("?min_significance=0.28")).toEqual([0.28, 1]);
    expect(await scoresFiltered("?min_significance=0.29")).toEqual([1]);
    expect(await scoresFiltered("?min_significance=0")).toEqual([0.28, 1]);
    for (const bad of ["1.5", "-0.1", "high", "0x1"]) {
      expect((await api("GET", `/feeds/changes.atom?min_significance=${bad}`)).status).toBe(400);
    }
  });

  it("pages with rel=next until the oldest change", async () => {
    const first = JSON.parse(await (await getRaw("/feeds/changes.json?limit=1")).text());
    expect(first.items).toHaveLength(1);
    const next = new URL(first.next_url);
    const second = JSON.parse(await (await getRaw(`${next.pathname}${next.search}`)).text());
    expect(second.items).toHaveLength(1);
    expect(second.items[0].id).not.toBe(first.items[0].id);
    expect(second.next_url).toBeUndefined();

    const atom = await (await getRaw("/feeds/changes.atom?limit=1")).text();
    expect(atom).toMatch(/<link rel="next" href="http:\/\/redline\.test\/feeds\/changes\.atom\?limit=1&amp;cursor=[^"]+"\/>/);
  });

  it("serves one article's changes, newest first, paged with rel=next", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    await track(SEED_URLS.yonhap);
    const all = JSON.parse(await (await getRaw(`/feeds/articles/${id}.json`)).text());
    expect(all.title).toMatch(/^Redline: /);
    expect(all.items.map((item: { id: string }) => item.id)).toEqual([`urn:redline:change:${id}-2`, `urn:redline:change:${id}-1`]);
    expect(all.next_url).toBeUndefined();

    const first = JSON.parse(await (await getRaw(`/feeds/articles/${id}.json?limit=1`)).text());
    expect(first.items.map((item: { id: string }) => item.id)).toEqual([`urn:redline:change:${id}-2`]);
    const next = new URL(first.next_url);
    expect(next.searchParams.get("before")).toBe("2");
    const second = JSON.parse(await (await getRaw(`${next.pathname}${next.search}`)).text());
    expect(second.items.map((item: { id: string }) => item.id)).toEqual([`urn:redline:change:${id}-1`]);
    expect(second.next_url).toBeUndefined();

    const rss = await getRaw(`/feeds/articles/${id}.rss`);
    expect(rss.headers.get("Content-Type")).toContain("application/rss+xml");
    expect(await rss.text()).not.toContain("AEN20191218010400325");
  });

  it("serves one site's changes", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    await track(SEED_URLS.yonhap);
    const hani = JSON.parse(await (await getRaw("/feeds/sites/english.hani.co.kr.json")).text());
    expect(hani.title).toBe("Redline: changes on english.hani.co.kr");
    expect(hani.items.map((item: { id: string }) => item.id)).toEqual([`urn:redline:change:${id}-2`, `urn:redline:change:${id}-1`]);
    const yonhap = JSON.parse(await (await getRaw("/feeds/sites/en.yna.co.kr.json")).text());
    expect(yonhap.items).toHaveLength(1);
    expect(yonhap.items[0].external_url).toBe(SEED_URLS.yonhap);
    const atom = await getRaw("/feeds/sites/en.yna.co.kr.atom");
    expect(atom.headers.get("Content-Type")).toContain("application/atom+xml");
    const missing = await api("GET", "/feeds/sites/nowhere.example.atom");
    expect(missing.status).toBe(404);
    expect(missing.json.detail).toMatch(/no change on "nowhere.example"/);
  });

  it("refuses unknown kinds and bad limits with a problem document", async () => {
    const unknown = await api("GET", "/feeds/changes.rss?kinds=body,gossip");
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("Content-Type")).toBe("application/problem+json");
    expect(unknown.json.detail).toMatch(/unknown: \["gossip"\]/);
    expect((await api("GET", "/feeds/changes.atom?limit=0")).status).toBe(400);
    expect((await api("GET", "/feeds/changes.xml")).status).toBe(404);
    expect((await api("GET", "/feeds/articles/0123456789abcdef.atom")).status).toBe(404);
    expect((await api("GET", `/feeds/articles/${id}.atom?before=x`)).status).toBe(400);
  });
});
