/**
 * What a crash half-way through a check, a retry, or two checks at once can and cannot do to
 * the stored history (docs/storage.md, "Write order").
 */
import { env } from "cloudflare:workers";
import { reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { RedlineStore } from "../src/storage/store";
import { checkArticle, trackerFor } from "../src/tracking";
import { api, check, SEED_URLS, serveTimelineEntry, track, watchedKv } from "./helpers";

/** A KV binding that dies on the first write whose key starts with `prefix`, like a Worker killed mid-check. */
const kvCrashingOnPut = (prefix: string): KVNamespace =>
  watchedKv((method, key) => {
    if (method === "put" && key.startsWith(prefix)) throw new Error(`simulated crash before writing ${key}`);
  });

async function crashingCheck(id: string, crashBefore: string) {
  const tracker = trackerFor(env);
  const article = await tracker.store.getArticle(id);
  const crashing = { ...tracker, store: new RedlineStore(kvCrashingOnPut(crashBefore)) };
  await expect(checkArticle(crashing, article!, Date.now())).rejects.toThrow(/simulated crash/);
}

async function history(id: string) {
  const versions = (await api("GET", `/api/articles/${id}/versions`)).json.items;
  const article = (await api("GET", `/api/articles/${id}`)).json;
  const changes = (await api("GET", "/api/changes?limit=100")).json.items.filter((c: { articleId: string }) => c.articleId === id);
  return { versions, article, changes };
}

describe("a check that dies half-way", () => {
  let id: string;
  beforeEach(async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    id = (await track(SEED_URLS.yonhap)).json.id;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
  });

  it.each([
    ["after writing the version", "change:"],
    ["after writing the change", "article:"],
  ])("%s is completed by the next check, without gaps or duplicates", async (_, crashBefore) => {
    await crashingCheck(id, crashBefore);
    const before = await history(id);
    expect(before.article.versionCount).toBe(1);

    const retry = await check(id);
    expect(retry.json.changed).toBe(true);
    expect(retry.json.version.n).toBe(2);

    const after = await history(id);
    expect(after.versions.map((v: { n: number }) => v.n)).toEqual([1, 2]);
    expect(after.article.versionCount).toBe(2);
    expect(after.changes.map((c: { from: number | null; to: number }) => [c.from, c.to])).toEqual([[1, 2], [null, 1]]);

    expect((await check(id)).json.changed).toBe(false);
    expect((await history(id)).versions).toHaveLength(2);
  });

  it("an orphaned version stays hidden while the page is unchanged, and is adopted in order", async () => {
    await crashingCheck(id, "change:");
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    expect((await check(id)).json.changed).toBe(false);
    expect((await history(id)).versions.map((v: { n: number }) => v.n)).toEqual([1]);

    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const retry = await check(id);
    expect(retry.json.version.n).toBe(2);
    const after = await history(id);
    expect(after.versions.map((v: { n: number }) => v.n)).toEqual([1, 2]);
    expect(after.changes).toHaveLength(2);
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
  });

  it("adding the same URL at once creates one article", async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const results = await Promise.all([track(SEED_URLS.yonhap), track(`${SEED_URLS.yonhap}?utm_source=x`)]);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    const { versions } = await history(results[0]!.json.id);
    expect(versions).toHaveLength(1);
  });
});
