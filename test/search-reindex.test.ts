/**
 * POST /api/admin/reindex (src/search/reindex.ts): the search index rebuilt for history stored
 * before it existed — rows deleted from version_search and change_search come back exactly as
 * the commits wrote them, one each, over bounded calls; a rerun adds none.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { api, check, reset, SEED_URLS, serveTimelineEntry, track } from "./helpers";

interface ReindexCall {
  done: boolean;
  cursor: string | null;
  indexed: { versions: number; changes: number };
  unreadable: unknown[];
  usage: { kvReads: number; kvWrites: number; kvLists: number; d1Queries: number };
}

/** Calls until done, each with the cursor the previous call returned. */
async function reindexAll(batch: number): Promise<ReindexCall[]> {
  const calls: ReindexCall[] = [];
  let cursor: string | null = null;
  do {
    const response = await api("POST", "/api/admin/reindex", { body: { cursor, batch } });
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    calls.push(response.json as ReindexCall);
    cursor = response.json.cursor;
  } while (!calls.at(-1)!.done);
  return calls;
}

/** Both indexes' rows, in key order, as they hold them. */
async function indexRows(): Promise<{ versions: unknown[]; changes: unknown[] }> {
  const versions = await env.DB.prepare(
    "SELECT article_id, CAST(n AS INTEGER) AS n, CAST(captured_at_ms AS INTEGER) AS at, body, grams FROM version_search ORDER BY article_id, n",
  ).all();
  const changes = await env.DB.prepare(
    "SELECT article_id, CAST(seq AS INTEGER) AS seq, CAST(detected_at_ms AS INTEGER) AS at, removed, added, removed_grams, added_grams FROM change_search ORDER BY article_id, seq",
  ).all();
  return { versions: versions.results, changes: changes.results };
}

/** Two seed articles with an edit each, and The Standard taken down and restored as it was (created, removed, restored: no two versions compared). */
async function history(): Promise<void> {
  for (const url of [SEED_URLS.yonhap, SEED_URLS.hankyoreh1stRound]) {
    await serveTimelineEntry(url, 1);
    const id: string = (await track(url)).json.id;
    await serveTimelineEntry(url, 2);
    expect((await check(id)).json.version?.n).toBe(2);
  }
  await serveTimelineEntry(SEED_URLS.theStandard, 1);
  const standard: string = (await track(SEED_URLS.theStandard)).json.id;
  for (const k of [2, 3, 4]) {
    await serveTimelineEntry(SEED_URLS.theStandard, k);
    await check(standard);
  }
}

describe("POST /api/admin/reindex", () => {
  beforeEach(async () => {
    await reset();
    await history();
  });

  it("restores exactly one row per version and per change comparing two versions, as the commits wrote them, over bounded calls", async () => {
    const written = await indexRows();
    expect([written.versions.length, written.changes.length]).toEqual([5, 2]);
    await env.DB.exec("DELETE FROM version_search; DELETE FROM change_search;");
    const calls = await reindexAll(2);
    // Versions two at a time (2, 2, 1: the short page ends them), then changes two at a time (2, then none left).
    expect(calls.map((call) => [call.indexed.versions, call.indexed.changes, call.done])).toEqual([
      [2, 0, false],
      [2, 0, false],
      [1, 0, false],
      [0, 2, false],
      [0, 0, true],
    ]);
    expect(await indexRows()).toEqual(written);
    // One snapshot read per version; a change's two snapshots; one query to find each page and one INSERT per page of rows.
    expect(calls.map((call) => [call.usage.kvReads, call.usage.kvWrites, call.usage.d1Queries])).toEqual([
      [2, 0, 2],
      [2, 0, 2],
      [1, 0, 2],
      [4, 0, 2],
      [0, 0, 1],
    ]);
    expect(calls.every((call) => call.unreadable.length === 0)).toBe(true);
    const found = await api("GET", "/api/search?q=six-fold&in=removed", { headers: {} });
    expect(found.json.items.map((hit: { seq: number; from: number; to: number }) => [hit.seq, hit.from, hit.to])).toEqual([[2, 1, 2]]);
  });

  it("adds no row when run again, nor when only one row of each index is missing but that one", async () => {
    const written = await indexRows();
    const rerun = await reindexAll(200);
    expect(rerun.map((call) => [call.indexed.versions, call.indexed.changes, call.done])).toEqual([
      [0, 0, false],
      [0, 0, true],
    ]);
    expect(await indexRows()).toEqual(written);
    await env.DB.exec(
      "DELETE FROM version_search WHERE rowid = (SELECT MIN(rowid) FROM version_search); DELETE FROM change_search WHERE rowid = (SELECT MAX(rowid) FROM change_search);",
    );
    const repair = await reindexAll(200);
    expect(repair.map((call) => [call.indexed.versions, call.indexed.changes])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(await indexRows()).toEqual(written);
  });

  it("needs the admin token, and answers 400 problem+json for a cursor it did not make or a batch out of range", async () => {
    const anonymous = await api("POST", "/api/admin/reindex", { headers: { "Content-Type": "application/json" }, body: {} });
    expect(anonymous.status).toBe(401);
    for (const [body, detail] of [
      [{ cursor: "nonsense" }, /`cursor` is not one a reindex call returned/],
      [{ cursor: 5 }, /`cursor` must be the string the previous call returned/],
      [{ batch: 0 }, /`batch` must be an integer from 1 to 400/],
      [{ batch: 401 }, /`batch` must be an integer from 1 to 400/],
    ] as const) {
      const response = await api("POST", "/api/admin/reindex", { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(response.json.detail).toMatch(detail);
    }
  });
});
