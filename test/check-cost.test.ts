/**
 * What a check costs in KV operations, outcome by outcome: the table "What a check costs" in
 * docs/storage.md. Each check is run as the cron runs it: the article is read, then checked.
 */
import { reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { RedlineStore } from "../src/storage/store";
import { checkArticle, trackNewArticle, trackerFor, type CheckResult } from "../src/tracking";
import type { Tracker } from "../src/tracking/check";
import { articleIdFor } from "../src/fetching/url";
import { SEED_URLS, serveTimelineEntry, watchedKv } from "./helpers";

const COUNTED = new Set(["get", "getWithMetadata", "put", "list", "delete"]);

/** A tracker whose store records each KV operation as `<method> <key prefix>`, e.g. "get article". */
function countingTracker(): { tracker: Tracker; operations: string[] } {
  const operations: string[] = [];
  const kv = watchedKv((method, key) => {
    if (COUNTED.has(method)) operations.push(`${method} ${key.split(":")[0]}`);
  });
  // No webhooks: announcing a change is a queue message, not a KV operation.
  return { tracker: { store: new RedlineStore(kv), fetchOptions: trackerFor(env).fetchOptions }, operations };
}

/** Checks the article as the cron does (read it, then check it) and returns the outcome with the KV operations it took. */
async function costOfCheck(id: string): Promise<{ outcome: CheckResult["outcome"]; operations: string[] }> {
  const { tracker, operations } = countingTracker();
  const article = await tracker.store.getArticle(id);
  const { outcome } = await checkArticle(tracker, article!, Date.now());
  return { outcome, operations };
}

async function tracked(url: string): Promise<string> {
  await serveTimelineEntry(url, 1);
  const id = await articleIdFor(url);
  await trackNewArticle(trackerFor(env), { id, url }, Date.now());
  return id;
}

const CHANGE_WRITES = ["put change", "put changes", "put sitechanges"];

describe("KV operations of one check", () => {
  beforeEach(async () => {
    await reset();
  });

  it("a first capture: a probe of version 1, then raw body, version, change with its two feed keys, article", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const { tracker, operations } = countingTracker();
    await trackNewArticle(tracker, { id: await articleIdFor(SEED_URLS.yonhap), url: SEED_URLS.yonhap }, Date.now());
    expect(operations).toEqual(["get version", "put raw", "put version", ...CHANGE_WRITES, "put article"]);
  });

  it("an unchanged page: one read and one write, both of the article", async () => {
    const id = await tracked(SEED_URLS.yonhap);
    expect(await costOfCheck(id)).toEqual({ outcome: "unchanged", operations: ["get article", "put article"] });
  });

  it("a new version: the previous version and a probe of the next number read, the versions listed for the revert rule, six writes", async () => {
    const id = await tracked(SEED_URLS.yonhap);
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    expect(await costOfCheck(id)).toEqual({
      outcome: "new-version",
      operations: ["get article", "get version", "get version", "put raw", "put version", "list version", ...CHANGE_WRITES, "put article"],
    });
  });

  it("a first 404, a removal and a restoration with the same text: the article, and the change when there is one", async () => {
    const id = await tracked(SEED_URLS.theStandard);
    await serveTimelineEntry(SEED_URLS.theStandard, 2);
    expect(await costOfCheck(id)).toEqual({ outcome: "missing", operations: ["get article", "put article"] });
    await serveTimelineEntry(SEED_URLS.theStandard, 3);
    expect(await costOfCheck(id)).toEqual({ outcome: "removed", operations: ["get article", ...CHANGE_WRITES, "put article"] });
    await serveTimelineEntry(SEED_URLS.theStandard, 4);
    expect(await costOfCheck(id)).toEqual({ outcome: "restored", operations: ["get article", ...CHANGE_WRITES, "put article"] });
  });

  it("the same text at a new final URL: the article, and the change", async () => {
    const id = await tracked(SEED_URLS.globalSecurity);
    await serveTimelineEntry(SEED_URLS.globalSecurity, 2);
    await checkArticle(trackerFor(env), (await trackerFor(env).store.getArticle(id))!, Date.now());
    await serveTimelineEntry(SEED_URLS.globalSecurity, 3);
    expect(await costOfCheck(id)).toEqual({ outcome: "relocated", operations: ["get article", ...CHANGE_WRITES, "put article"] });
  });
});
