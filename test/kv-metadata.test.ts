/**
 * KV list metadata: every value Redline stores must fit KV's 1,024-byte limit and be ASCII (the
 * local KV simulator carries it in an HTTP header), and the store's readers must give back
 * exactly what was written.
 */
import { reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { CHANGE_KINDS } from "../src/model";
import type { ChangeRecord, VersionRecord } from "../src/storage/records";
import { RedlineStore } from "../src/storage/store";
import { api, SEED_URLS, serveTimelineEntry, track } from "./helpers";

const ARTICLE_ID = "0123456789abcdef";
const KOREAN = "한미 방위비 협상 결렬";

const version = (n: number, title: string): VersionRecord => ({
  n,
  capturedAt: `2019-11-2${n}T08:44:00.000Z`,
  url: "https://english.hani.co.kr/arti/917772.html",
  finalUrl: "https://english.hani.co.kr/arti/917772.html",
  httpStatus: 200,
  charset: "utf-8",
  contentHash: "a".repeat(64),
  title,
  byline: null,
  publishedAt: "2019-11-20T17:44:00+09:00",
  modifiedAt: null,
  paragraphs: ["Talks ended."],
});

const change = (seq: number, title: string, summary: string): ChangeRecord => ({
  id: `${ARTICLE_ID}-${seq}`,
  articleId: ARTICLE_ID,
  seq,
  url: "https://english.hani.co.kr/arti/917772.html",
  title,
  from: seq - 1,
  to: seq,
  detectedAt: `2019-11-2${seq}T08:44:00.000Z`,
  kinds: ["title", "body"],
  summary,
  significance: 0.5,
});

/** Every key under `prefix` with its metadata as KV stores it, serialised as KV does. */
async function storedMetadata(prefix: string): Promise<Array<{ name: string; json: string }>> {
  const page = await env.REDLINE_KV.list({ prefix });
  return page.keys.map(({ name, metadata }) => ({ name, json: JSON.stringify(metadata) }));
}

const byteLength = (text: string): number => new TextEncoder().encode(text).byteLength;

describe("KV list metadata", () => {
  let store: RedlineStore;
  beforeEach(async () => {
    await reset();
    store = new RedlineStore(env.REDLINE_KV);
  });

  it("stores non-ASCII headlines and summaries as ASCII and reads them back unchanged", async () => {
    await store.putVersion(ARTICLE_ID, version(1, KOREAN));
    await store.putChange(change(1, KOREAN, "Headline rewritten; +42/−12 words"));
    for (const prefix of ["version:", "change:", "changes:", "sitechanges:"]) {
      const stored = await storedMetadata(prefix);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.json).toMatch(/^[\x20-\x7e]+$/);
    }
    expect((await store.listVersions(ARTICLE_ID, 1)).map(({ title }) => title)).toEqual([KOREAN]);
    const [item] = (await store.listChanges(10, null, null)).items;
    expect(item).toMatchObject({ title: KOREAN, summary: "Headline rewritten; +42/−12 words" });
    expect((await store.listArticleChanges(ARTICLE_ID, 10, null)).items).toEqual([item]);
  });

  it("reads back text that looks like an escape, backslashes and astral characters exactly", async () => {
    const tricky = String.raw`C:\new \u2212 not a minus, \\u0041 and 🗞️ ` + "\u0000\u001f";
    await store.putChange(change(1, tricky, tricky));
    const [item] = (await store.listChanges(10, null, null)).items;
    expect(item?.title).toBe(tricky);
    expect(item?.summary).toBe(tricky);
  });

  it("lists the full headline of a version whose headline is too long for metadata", async () => {
    const long = `${"Talks on sharing the cost of US troops in South Korea collapse ".repeat(20)}(${KOREAN})`;
    await store.putVersion(ARTICLE_ID, version(1, "Talks end"));
    await store.putVersion(ARTICLE_ID, version(2, long));
    const [first, second] = await storedMetadata("version:");
    expect(JSON.parse(first!.json)).not.toHaveProperty("partial");
    expect(JSON.parse(second!.json)).toMatchObject({ n: 2, title: "", partial: true });
    expect((await store.listVersions(ARTICLE_ID, 2)).map(({ title }) => title)).toEqual(["Talks end", long]);
  });

  it("counts a headline's escaped form against the limit, so a long Korean headline is read in full", async () => {
    // 250 Hangul syllables are 750 bytes of UTF-8 but 1,750 once escaped to ASCII.
    const long = "가".repeat(250);
    await store.putVersion(ARTICLE_ID, version(1, long));
    const [stored] = await storedMetadata("version:");
    expect(byteLength(stored!.json)).toBeLessThanOrEqual(1024);
    expect((await store.listVersions(ARTICLE_ID, 1))[0]?.title).toBe(long);
  });

  it("lists the full item of a change too long for metadata, in the change feed and the article's changes", async () => {
    const long = "Headline rewritten ".repeat(60);
    await store.putChange(change(1, "Talks end", "First capture"));
    await store.putChange(change(2, long, "Headline rewritten"));
    for (const prefix of ["change:", "changes:", "sitechanges:"]) {
      const stored = (await storedMetadata(prefix)).map(({ json }) => JSON.parse(json));
      expect(stored).toContainEqual({ id: `${ARTICLE_ID}-2`, articleId: ARTICLE_ID, seq: 2, partial: true });
    }
    const feed = (await store.listChanges(10, null, null)).items;
    expect(feed.map(({ title }) => title)).toEqual([long, "Talks end"]);
    expect((await store.listArticleChanges(ARTICLE_ID, 10, null)).items).toEqual(feed);
  });
});

describe("subscription filters in KV metadata", () => {
  let articleId: string;
  beforeEach(async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    articleId = (await track(SEED_URLS.yonhap)).json.id;
  });

  const subscribe = (body: Record<string, unknown>) => api("POST", "/api/subscriptions", { body: { url: "https://example.com/hooks/redline", ...body } });

  it("answers 201 with each kind once for a kinds list that repeats one kind 60 times", async () => {
    const created = await subscribe({ kinds: Array(60).fill("numbers-changed") });
    expect(created.status).toBe(201);
    expect(created.json.filter.kinds).toEqual(["numbers-changed"]);
  });

  it("answers 400 naming the unknown kinds", async () => {
    const refused = await subscribe({ kinds: ["body", "bdy", "headline", "bdy"] });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
    expect(refused.json.detail).toMatch(/unknown: \["bdy","headline"\]/);
  });

  it("stores the longest legal filter within the metadata limit", async () => {
    const filter = {
      articleId,
      site: `${"a".repeat(63)}.`.repeat(4).slice(0, 253),
      kinds: [...CHANGE_KINDS, ...CHANGE_KINDS],
      // The longest decimal a double in [0, 1] prints as: 17 significant digits after zeros.
      minSignificance: 0.0000012345678901234567,
    };
    const created = await subscribe(filter);
    expect(created.status).toBe(201);
    const [stored] = await storedMetadata("subscription:");
    expect(byteLength(stored!.json)).toBeLessThanOrEqual(1024);
    expect(JSON.parse(stored!.json)).toEqual({ filter: { ...filter, kinds: [...CHANGE_KINDS] }, createdAt: created.json.createdAt });
  });
});
