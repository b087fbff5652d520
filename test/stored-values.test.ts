/**
 * What the store keeps comes back exactly as written, whatever its size or script, and KV holds
 * only values named by their own digest: no limit of KV metadata applies any more (the indexes
 * are D1 rows), and a stale KV read can only miss.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { recordDigest } from "../src/archive/chain";
import { CHANGE_KINDS } from "../src/model";
import type { ArticleRecord, ChangeRecord, VersionRecord } from "../src/storage/records";
import { RedlineStore } from "../src/storage/store";
import { blankHead } from "../src/tracking/decide";
import { api, reset, SEED_URLS, serveTimelineEntry, track, walkTimeline } from "./helpers";

const URL_OF_ARTICLE = "https://english.hani.co.kr/arti/917772.html";
const ARTICLE_ID = "0123456789abcdef";
const KOREAN = "한미 방위비 협상 결렬";
const TRICKY = String.raw`C:\new \u2212 not a minus, \\u0041 and 🗞️ ` + "\u0000\u001f";

/** Stores version 1 with `title` and its `created` change with `summary`, as a first capture commits them. */
async function storeFirstVersion(store: RedlineStore, title: string, summary: string): Promise<void> {
  const capturedAt = "2019-11-20T08:44:00.000Z";
  const version: VersionRecord = {
    n: 1,
    capturedAt,
    url: URL_OF_ARTICLE,
    finalUrl: URL_OF_ARTICLE,
    httpStatus: 200,
    charset: "utf-8",
    contentHash: "a".repeat(64),
    title,
    byline: null,
    publishedAt: "2019-11-20T17:44:00+09:00",
    modifiedAt: null,
    paragraphs: ["Talks ended."],
    prevRecordSha256: null,
  };
  const change: ChangeRecord = {
    id: `${ARTICLE_ID}-1`,
    articleId: ARTICLE_ID,
    seq: 1,
    url: URL_OF_ARTICLE,
    title,
    from: null,
    to: 1,
    detectedAt: capturedAt,
    kinds: ["created"],
    summary,
    significance: 1,
  };
  const article: ArticleRecord = { ...blankHead({ id: ARTICLE_ID, url: URL_OF_ARTICLE }, Date.parse(capturedAt)).article, title, versionCount: 1, changeCount: 1 };
  expect(await store.commit({ owner: "create", article, version, change })).toBe(true);
}

describe("stored text", () => {
  let store: RedlineStore;
  beforeEach(async () => {
    await reset();
    store = new RedlineStore(env.DB, env.REDLINE_KV);
  });

  it.each([
    ["a Korean headline and a summary with a minus sign", KOREAN, "Headline rewritten; +42/−12 words"],
    ["text that looks like an escape, backslashes, an astral character and controls", TRICKY, TRICKY],
    ["a headline of 1,300 characters, far past the old 1,024-byte metadata limit", `${"Talks on sharing the cost of US troops collapse ".repeat(26)}(${KOREAN})`, "First capture"],
  ])("reads back %s exactly from the version index, the change index and the article's changes", async (_, title, summary) => {
    await storeFirstVersion(store, title, summary);
    expect((await store.listVersions(ARTICLE_ID)).map((version) => version.title)).toEqual([title]);
    const [item] = (await store.listChanges({ limit: 10 })).items;
    expect(item).toMatchObject({ title, summary });
    expect((await store.listArticleChanges(ARTICLE_ID, 10, null)).items).toEqual([item]);
    expect((await api("GET", `/api/articles/${ARTICLE_ID}/versions/1`)).json.title).toBe(title);
  });
});

describe("KV after the seed articles' edits", () => {
  beforeEach(async () => {
    await reset();
  });

  it("holds only raw bodies and version snapshots, each under the digest of what it holds", async () => {
    const { id } = await walkTimeline(SEED_URLS.hankyoreh3rdRound);
    const versions: VersionRecord[] = [];
    for (let n = 1; n <= 4; n++) versions.push((await api("GET", `/api/articles/${id}/versions/${n}`)).json);
    const expected = [
      ...new Set(versions.map((version) => `raw:${version.raw!.sha256}`)),
      ...(await Promise.all(versions.map(async (version) => `snapshot:${await recordDigest(version)}`))),
    ];
    const { keys } = await env.REDLINE_KV.list();
    expect(keys.map(({ name }) => name).sort()).toEqual(expected.sort());
    expect((await api("GET", `/api/articles/${id}`)).json.versionCount).toBe(4);
  });
});

describe("subscription filters", () => {
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

  it("stores the largest legal filter and reads it back unchanged", async () => {
    const filter = {
      articleId,
      site: `${"a".repeat(63)}.`.repeat(4).slice(0, 253),
      kinds: [...CHANGE_KINDS, ...CHANGE_KINDS],
      minSignificance: 0.0000012345678901234567,
    };
    const created = await subscribe(filter);
    expect(created.status).toBe(201);
    const read = await api("GET", `/api/subscriptions/${created.json.id}`);
    // No source filter was given: the stored filter says so as null.
    expect(read.json.filter).toEqual({ ...filter, kinds: [...CHANGE_KINDS], source: null });
  });
});
