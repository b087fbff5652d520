/**
 * What a crash half-way through a check, a retry, or two checks at once can and cannot do to
 * the stored history (docs/storage.md, "Write order and crashes"), and what a check costs.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { checkArticle, trackerFor, trackNewArticle } from "../src/tracking";
import { articleIdFor } from "../src/fetching/url";
import { api, check, instrumented, reset, SEED_URLS, serveTimelineEntry, track } from "./helpers";

async function history(id: string) {
  const versions = (await api("GET", `/api/articles/${id}/versions`)).json.items;
  const article = (await api("GET", `/api/articles/${id}`)).json;
  const changes = (await api("GET", "/api/changes?limit=100")).json.items.filter((c: { articleId: string }) => c.articleId === id);
  return { versions, article, changes };
}

/** No index row points at nothing: every version row's snapshot and every change's versions resolve. */
async function expectEveryRowResolves(id: string): Promise<void> {
  const { versions, changes, article } = await history(id);
  expect(versions.map((v: { n: number }) => v.n)).toEqual(Array.from({ length: article.versionCount }, (_, i) => i + 1));
  for (const { n } of versions) expect((await api("GET", `/api/articles/${id}/versions/${n}`)).status).toBe(200);
  for (const change of changes) {
    for (const n of [change.from, change.to]) if (n !== null) expect(n).toBeLessThanOrEqual(article.versionCount);
  }
  expect((await api("GET", `/api/articles/${id}/verify`)).json.ok).toBe(true);
}

describe("a check that dies at its k-th write", () => {
  let id: string;
  beforeEach(async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    id = (await track(SEED_URLS.yonhap)).json.id;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
  });

  // A new version writes the raw body (KV), the snapshot (KV), then one D1 batch.
  it.each([1, 2, 3])("write %i: leaves the history as it was, and the next check completes it", async (crashAt) => {
    const crashing = instrumented(crashAt);
    const head = (await trackerFor(env).store.getHead(id))!;
    await expect(checkArticle(trackerFor(crashing.env), head, Date.now())).rejects.toThrow(/simulated crash/);
    const before = await history(id);
    expect(before.article.versionCount).toBe(1);
    expect(before.changes).toHaveLength(1);
    await expectEveryRowResolves(id);

    const retry = await check(id);
    expect(retry.json.changed).toBe(true);
    expect(retry.json.version.n).toBe(2);

    const after = await history(id);
    expect(after.versions.map((v: { n: number }) => v.n)).toEqual([1, 2]);
    expect(after.changes.map((c: { from: number | null; to: number }) => [c.from, c.to])).toEqual([[1, 2], [null, 1]]);
    await expectEveryRowResolves(id);

    expect((await check(id)).json.changed).toBe(false);
    expect((await history(id)).versions).toHaveLength(2);
  });

  it("an unchanged check that dies at its one write leaves the article due", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const head = (await trackerFor(env).store.getHead(id))!;
    await expect(checkArticle(trackerFor(instrumented(1).env), head, Date.now())).rejects.toThrow(/simulated crash/);
    const article = (await trackerFor(env).store.getHead(id))!;
    expect(article.revision).toBe(head.revision);
    expect(article.article.nextCheckAt).toBe(head.article.nextCheckAt);
  });
});

describe("a first capture that dies at its k-th write", () => {
  it.each([1, 2, 3])("write %i: stores no article, and adding it again creates it", async (crashAt) => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id = await articleIdFor(SEED_URLS.yonhap);
    await expect(trackNewArticle(trackerFor(instrumented(crashAt).env), { id, url: SEED_URLS.yonhap }, Date.now())).rejects.toThrow(/simulated crash/);
    expect((await api("GET", `/api/articles/${id}`)).status).toBe(404);
    expect((await api("GET", "/api/changes")).json.items).toEqual([]);
    expect((await api("GET", "/api/status")).json.articles.total).toBe(0);

    const created = await track(SEED_URLS.yonhap);
    expect(created.status).toBe(201);
    await expectEveryRowResolves(id);
  });
});

describe("what a check costs", () => {
  let id: string;
  beforeEach(async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    id = (await track(SEED_URLS.yonhap)).json.id;
  });

  it("unchanged (given the head, as the cron has it): no KV operation and one D1 statement", async () => {
    const head = (await trackerFor(env).store.getHead(id))!;
    const { env: counted, counts } = instrumented();
    const result = await checkArticle(trackerFor(counted), head, Date.now());
    expect(result.outcome).toBe("unchanged");
    expect(counts).toEqual({ kvReads: 0, kvWrites: 0, d1Statements: 1 });
  });

  it("new version: one KV read, two KV writes, and a D1 read for the revert check plus one batch of five (the version and its search row, the change and its search row, the head)", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const head = (await trackerFor(env).store.getHead(id))!;
    const { env: counted, counts } = instrumented();
    const result = await checkArticle(trackerFor(counted), head, Date.now());
    expect(result.outcome).toBe("new-version");
    expect(counts).toEqual({ kvReads: 1, kvWrites: 2, d1Statements: 1 + 5 });
  });
});

describe("checks at the same time", () => {
  it("never store the same content twice", async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id = (await track(SEED_URLS.yonhap)).json.id;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const results = await Promise.all([check(id), check(id), check(id)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const { versions, changes } = await history(id);
    expect(versions).toHaveLength(2);
    expect(changes).toHaveLength(2);
    expect(results.filter((r) => r.json.outcome === "new-version")).toHaveLength(1);
  });

  it("adding the same URL at once creates one article", async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const results = await Promise.all([track(SEED_URLS.yonhap), track(`${SEED_URLS.yonhap}?utm_source=x`)]);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 201]);
    const { versions } = await history(results[0]!.json.id);
    expect(versions).toHaveLength(1);
  });
});
