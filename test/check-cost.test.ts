/**
 * What ONE check costs, for every outcome, on the D1 + KV layout (docs/storage.md, "What each
 * operation costs"): KV reads and writes, D1 statements and round trips (a batch is one round
 * trip however many statements it carries), the rows D1 reports reading and writing
 * (`meta.rows_read` / `meta.rows_written`, index entries included), the queue messages sent and
 * the HTTP answers fetched.
 *
 * Each check is called as its callers call it: `checkArticle(tracker, head, now)` with the head
 * the caller already holds (a head read is measured on its own below), and through the callers
 * that claim the host and read the head in one batch first: the checks queue's consumer,
 * `consumeCheck`, and the API's immediate check (`claimHostForCheck`, under "through the API"). Setup runs on the plain bindings; only the measured call runs on the
 * instrumented ones.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app";
import type { Env } from "../src/env";
import { articleIdFor } from "../src/fetching/url";
import { consumeCheck } from "../src/queues/checks";
import { checkArticle, trackerFor, trackNewArticle } from "../src/tracking";
import { ADMIN, check, instrumented, reset, SEED_URLS, serveRobots, serveTimelineEntry, setReplayClock, track } from "./helpers";

interface Cost {
  kvReads: number;
  kvWrites: number;
  d1Statements: number;
  /** One entry per round trip, listing its statements as `VERB table`. */
  d1RoundTrips: string[][];
  rowsRead: number;
  rowsWritten: number;
  /** Queue messages sent (webhook announcements). */
  messages: number;
  /** The status of every HTTP response the work fetched, in order (redirect hops included). */
  fetched: number[];
}

async function measure<T>(work: (counted: Env) => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const probe = instrumented();
  const fetched: number[] = [];
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const response = await realFetch(input, init);
    fetched.push(response.status);
    return response;
  });
  try {
    const result = await work(probe.env);
    return {
      result,
      cost: {
        ...probe.counts,
        d1RoundTrips: probe.d1.trips,
        rowsRead: probe.d1.rowsRead,
        rowsWritten: probe.d1.rowsWritten,
        messages: probe.messages.sent,
        fetched,
      },
    };
  } finally {
    spy.mockRestore();
  }
}

async function headOf(id: string) {
  const head = await trackerFor(env).store.getHead(id);
  if (!head) throw new Error(`no article ${id}`);
  return head;
}

/** One check of `id`, given its head as read just before. */
async function measuredCheck(id: string) {
  const head = await headOf(id);
  return measure((counted) => checkArticle(trackerFor(counted), head, Date.now()));
}

async function tracked(url: string, k: number): Promise<string> {
  await serveTimelineEntry(url, k);
  const created = await track(url);
  if (created.status !== 201) throw new Error(`tracking ${url}: ${created.status} ${JSON.stringify(created.json)}`);
  return created.json.id;
}

/** Before every fixture's first version, the replay origin answers 404 for every page. */
const BEFORE_EVERY_FIXTURE = "2019-01-01T00:00:00Z";

/** A call to the Worker's routes on the given bindings. */
async function route(counted: Env, method: string, path: string, body?: unknown): Promise<Response> {
  return app.fetch(new Request(`http://redline.test${path}`, { method, headers: ADMIN, body: body === undefined ? undefined : JSON.stringify(body) }), counted);
}

const NO_KV = { kvReads: 0, kvWrites: 0 };
/**
 * Every commit that lands and changes a counted column (tracking, status, version_count,
 * change_count) also updates the one `article_stats` row through its trigger
 * (migrations/0004_sources.sql, its WHEN clause): one row read and one written more than its
 * statements' own, in the same statement (no round trip, no statement of its own). A commit
 * that changes none of them (an unchanged check), or that loses, does not fire it.
 */
const STATS_ROW = 1;
/** A commit of the head alone that leaves every counted column as it was: an unchanged check, a first 404, a further one. */
const UPDATE_ONLY = { d1Statements: 1, d1RoundTrips: [["UPDATE articles"]], rowsRead: 1, rowsWritten: 2, messages: 0 };
/** A commit of the head alone that changes its status (active → failing). */
const UPDATE_COUNTED = { ...UPDATE_ONLY, rowsRead: 1 + STATS_ROW, rowsWritten: 2 + STATS_ROW };
const CHANGE_ONLY = { d1Statements: 2, d1RoundTrips: [["INSERT changes", "UPDATE articles"]], rowsRead: 2 + STATS_ROW, rowsWritten: 6 + STATS_ROW, messages: 1 };
/** A new version's commit: its row and search row, the change and its search row (what it added and removed), the head. */
const NEW_VERSION_BATCH = ["INSERT versions", "INSERT version_search", "INSERT changes", "INSERT change_search", "UPDATE articles"];

beforeEach(async () => {
  await reset();
});

describe("the reads a caller makes before a check", () => {
  it("the API's head read is one SELECT that reads the article row, its latest version's row and its host's row", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const { result, cost } = await measure((counted) => trackerFor(counted).store.getHead(id));
    expect(result?.latest?.n).toBe(1);
    expect(cost).toEqual({ ...NO_KV, d1Statements: 1, d1RoundTrips: [["SELECT articles"]], rowsRead: 3, rowsWritten: 0, messages: 0, fetched: [] });
  });

  it("the API's look-up before a first capture is one SELECT that reads no row", async () => {
    const id = await articleIdFor(SEED_URLS.yonhap);
    const { result, cost } = await measure((counted) => trackerFor(counted).store.getArticle(id));
    expect(result).toBeNull();
    expect(cost).toEqual({ ...NO_KV, d1Statements: 1, d1RoundTrips: [["SELECT articles"]], rowsRead: 0, rowsWritten: 0, messages: 0, fetched: [] });
  });
});

describe("what one check costs, given the head its caller holds", () => {
  it("a first capture on a new host fetches and stores its robots.txt, writes the raw body and the snapshot to KV, and commits in one batch of four (the version, its search row, the change, the article)", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id = await articleIdFor(SEED_URLS.yonhap);
    const { result, cost } = await measure((counted) => trackNewArticle(trackerFor(counted), { id, url: SEED_URLS.yonhap }, Date.now()));
    expect(result.outcome).toBe("created");
    expect(cost).toEqual({
      kvReads: 0,
      kvWrites: 2,
      d1Statements: 6,
      d1RoundTrips: [["SELECT hosts"], ["INSERT hosts"], ["INSERT versions", "INSERT version_search", "INSERT changes", "INSERT articles"]],
      rowsRead: 2,
      rowsWritten: 15,
      messages: 1,
      fetched: [200, 200],
    });
  });

  it("a first capture on a host whose robots.txt is cached reads the host row and commits in one batch of four (the version, its search row, the change, the article)", async () => {
    await tracked(SEED_URLS.hankyoreh3rdRound, 1);
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
    const id = await articleIdFor(SEED_URLS.hankyoreh1stRound);
    const { result, cost } = await measure((counted) => trackNewArticle(trackerFor(counted), { id, url: SEED_URLS.hankyoreh1stRound }, Date.now()));
    expect(result.outcome).toBe("created");
    expect(cost).toEqual({
      kvReads: 0,
      kvWrites: 2,
      d1Statements: 5,
      d1RoundTrips: [["SELECT hosts"], ["INSERT versions", "INSERT version_search", "INSERT changes", "INSERT articles"]],
      rowsRead: 3,
      rowsWritten: 13,
      messages: 1,
      fetched: [200],
    });
  });

  it("an unchanged check answered 304 costs no KV operation and one D1 statement, the head's UPDATE", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("unchanged");
    expect(cost).toEqual({ ...NO_KV, ...UPDATE_ONLY, fetched: [304] });
  });

  it("an unchanged check answered 200 with the same text (new chrome, new ETag) costs the same: no KV operation, one UPDATE", async () => {
    const id = await tracked(SEED_URLS.theStandard, 1);
    const before = await headOf(id);
    await serveTimelineEntry(SEED_URLS.theStandard, 4);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("unchanged");
    expect(result.article.etag).not.toBe(before.article.etag);
    expect(cost).toEqual({ ...NO_KV, ...UPDATE_ONLY, fetched: [200] });
  });

  it("a new version reads the previous snapshot, writes the raw body and the new snapshot, and costs a revert query plus one batch of five (the version and its search row, the change and its search row, the head)", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("new-version");
    expect(result.change?.kinds).not.toContain("revert");
    expect(cost).toEqual({
      kvReads: 1,
      kvWrites: 2,
      d1Statements: 6,
      d1RoundTrips: [["SELECT versions"], NEW_VERSION_BATCH],
      rowsRead: 7,
      rowsWritten: 12,
      messages: 1,
      fetched: [200],
    });
  });

  it("a revert (A → B → A) costs what a new version costs, A's raw body being written again under its own key", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    await check(id);
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("new-version");
    expect(result.change).toMatchObject({ from: 2, to: 3, revertOf: 1 });
    expect(result.change?.kinds).toContain("revert");
    expect(cost).toEqual({
      kvReads: 1,
      kvWrites: 2,
      d1Statements: 6,
      d1RoundTrips: [["SELECT versions"], NEW_VERSION_BATCH],
      rowsRead: 8,
      rowsWritten: 12,
      messages: 1,
      fetched: [200],
    });
  });

  it("a failed check (HTTP 503) costs no KV operation and one UPDATE", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    // As failures.test does: the stored article now points at a page that answers 503.
    await env.DB.prepare("UPDATE articles SET url = ?, etag = NULL, last_modified = NULL WHERE id = ?").bind("https://fixtures.redline.test/errors/503", id).run();
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("failed");
    expect(cost).toEqual({ ...NO_KV, ...UPDATE_COUNTED, fetched: [503] });
  });

  it("a first 404 (missing) costs no KV operation and one UPDATE", async () => {
    const id = await tracked(SEED_URLS.theStandard, 1);
    await serveTimelineEntry(SEED_URLS.theStandard, 2);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("missing");
    expect(cost).toEqual({ ...NO_KV, ...UPDATE_ONLY, fetched: [404] });
  });

  it("a second 404 (removed) records its change with no KV operation: one batch of two, the change INSERT and the UPDATE", async () => {
    const id = await tracked(SEED_URLS.theStandard, 1);
    await serveTimelineEntry(SEED_URLS.theStandard, 2);
    await check(id);
    await serveTimelineEntry(SEED_URLS.theStandard, 3);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("removed");
    expect(cost).toEqual({ ...NO_KV, ...CHANGE_ONLY, fetched: [404] });
  });

  it("a further 404 on a removed article costs one UPDATE", async () => {
    const id = await tracked(SEED_URLS.theStandard, 1);
    await serveTimelineEntry(SEED_URLS.theStandard, 2);
    await check(id);
    await serveTimelineEntry(SEED_URLS.theStandard, 3);
    await check(id);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("missing");
    expect(result.article.status).toBe("removed");
    expect(cost).toEqual({ ...NO_KV, ...UPDATE_ONLY, fetched: [404] });
  });

  it("a page restored with the same text records its change with no KV operation: one batch of two", async () => {
    const id = await tracked(SEED_URLS.theStandard, 1);
    for (const k of [2, 3]) {
      await serveTimelineEntry(SEED_URLS.theStandard, k);
      await check(id);
    }
    await serveTimelineEntry(SEED_URLS.theStandard, 4);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("restored");
    expect(result.change).toMatchObject({ from: 1, to: 1, kinds: ["restored"] });
    expect(cost).toEqual({ ...NO_KV, ...CHANGE_ONLY, fetched: [200] });
  });

  it("a page restored with new text costs what a new version costs", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await setReplayClock(BEFORE_EVERY_FIXTURE);
    await check(id);
    expect((await check(id)).json.outcome).toBe("removed");
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("restored");
    expect(result.change).toMatchObject({ from: 1, to: 2 });
    expect(result.change?.kinds).toContain("restored");
    expect(cost).toEqual({
      kvReads: 1,
      kvWrites: 2,
      d1Statements: 6,
      d1RoundTrips: [["SELECT versions"], NEW_VERSION_BATCH],
      rowsRead: 7,
      rowsWritten: 12,
      messages: 1,
      fetched: [200],
    });
  });

  it("the same text at a new final URL (relocated) records its change with no KV operation: one batch of two", async () => {
    const id = await tracked(SEED_URLS.globalSecurity, 2);
    await serveTimelineEntry(SEED_URLS.globalSecurity, 3);
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("relocated");
    expect(result.change).toMatchObject({ from: 1, to: 1, kinds: ["final-url"] });
    expect(cost).toEqual({ ...NO_KV, ...CHANGE_ONLY, fetched: [301, 200] });
  });
});

describe("robots.txt and Retry-After around a check", () => {
  const YONHAP_HOST = new URL(SEED_URLS.yonhap).hostname;
  const A_DAY_LATER = 24 * 60 * 60 * 1000 + 60_000;

  it("an unchanged check past the robots.txt cache (24 h) fetches it again and stores it: one more fetch and one hosts upsert", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const head = await headOf(id);
    const { result, cost } = await measure((counted) => checkArticle(trackerFor(counted), head, Date.now() + A_DAY_LATER));
    expect(result.outcome).toBe("unchanged");
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 2,
      d1RoundTrips: [["INSERT hosts"], ["UPDATE articles"]],
      rowsRead: 2,
      rowsWritten: 3,
      messages: 0,
      fetched: [200, 304],
    });
  });

  it("a check whose refreshed robots.txt disallows the page (blocked) does not fetch the page: one hosts upsert and one UPDATE", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await serveRobots(YONHAP_HOST, "User-agent: *\nDisallow: /view/\n");
    const head = await headOf(id);
    const { result, cost } = await measure((counted) => checkArticle(trackerFor(counted), head, Date.now() + A_DAY_LATER));
    expect(result.outcome).toBe("blocked");
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 2,
      d1RoundTrips: [["INSERT hosts"], ["UPDATE articles"]],
      rowsRead: 3,
      rowsWritten: 4,
      messages: 0,
      fetched: [200],
    });
  });

  it("a blocked check with the disallowing robots.txt cached fetches nothing and costs one UPDATE", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await serveRobots(YONHAP_HOST, "User-agent: *\nDisallow: /view/\n");
    const later = Date.now() + A_DAY_LATER;
    await checkArticle(trackerFor(env), await headOf(id), later);
    const head = await headOf(id);
    const { result, cost } = await measure((counted) => checkArticle(trackerFor(counted), head, later + 1000));
    expect(result.outcome).toBe("blocked");
    expect(cost).toEqual({ ...NO_KV, ...UPDATE_ONLY, fetched: [] });
  });

  it("a failed check with Retry-After (HTTP 429) also pushes its host back: one hosts upsert before the UPDATE", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await env.DB.prepare("UPDATE articles SET url = ?, etag = NULL, last_modified = NULL WHERE id = ?").bind("https://fixtures.redline.test/errors/429", id).run();
    const { result, cost } = await measuredCheck(id);
    expect(result.outcome).toBe("failed");
    expect(result.error).toMatch(/Retry-After/);
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 2,
      d1RoundTrips: [["INSERT hosts"], ["UPDATE articles"]],
      rowsRead: 3,
      rowsWritten: 4,
      messages: 0,
      fetched: [429],
    });
  });
});

describe("through the checks queue (the dispatcher's messages)", () => {
  /** The message the dispatcher would send for `id`, due now. */
  async function messageFor(id: string) {
    const { article } = await headOf(id);
    return { type: "check" as const, articleId: id, host: article.site, notBefore: Date.parse(article.nextCheckAt) };
  }

  it("an unchanged check costs the host claim and the head read in one batch, then the UPDATE: 3 statements in 2 round trips", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const message = await messageFor(id);
    const { result, cost } = await measure((counted) => consumeCheck(trackerFor(counted), message, 1000));
    expect(result).toEqual({ kind: "checked", outcome: "unchanged" });
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 3,
      d1RoundTrips: [["INSERT hosts", "SELECT articles"], ["UPDATE articles"]],
      rowsRead: 6,
      rowsWritten: 3,
      messages: 0,
      fetched: [304],
    });
  });

  it("a new version costs the claim batch plus the check: 8 statements in 3 round trips, one KV read and two KV writes", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const message = await messageFor(id);
    const { result, cost } = await measure((counted) => consumeCheck(trackerFor(counted), message, 1000));
    expect(result).toEqual({ kind: "checked", outcome: "new-version" });
    expect(cost).toEqual({
      kvReads: 1,
      kvWrites: 2,
      d1Statements: 8,
      d1RoundTrips: [["INSERT hosts", "SELECT articles"], ["SELECT versions"], NEW_VERSION_BATCH],
      rowsRead: 12,
      rowsWritten: 13,
      messages: 1,
      fetched: [200],
    });
  });
});

describe("a check whose commit another writer beat", () => {
  it("an unchanged check re-reads the head once and stops, writing nothing more", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const stale = await headOf(id);
    await check(id);
    const { result, cost } = await measure((counted) => checkArticle(trackerFor(counted), stale, Date.now()));
    expect(result.outcome).toBe("unchanged");
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 2,
      d1RoundTrips: [["UPDATE articles"], ["SELECT articles"]],
      rowsRead: 4,
      rowsWritten: 0,
      messages: 0,
      fetched: [304],
    });
  });

  it("a new version repeats its reads, the snapshot write and the batch on the new head, but not the raw body", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const stale = await headOf(id);
    await check(id);
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const { result, cost } = await measure((counted) => checkArticle(trackerFor(counted), stale, Date.now()));
    expect(result.outcome).toBe("new-version");
    expect(result.version?.n).toBe(2);
    expect(cost).toEqual({
      kvReads: 2,
      kvWrites: 3,
      d1Statements: 13,
      d1RoundTrips: [["SELECT versions"], NEW_VERSION_BATCH, ["SELECT articles"], ["SELECT versions"], NEW_VERSION_BATCH],
      rowsRead: 16,
      rowsWritten: 12,
      messages: 1,
      fetched: [200],
    });
  });
});

describe("through the API", () => {
  it("POST /api/articles/:id/check claims the host and reads the head in one batch, as the queue consumer does, then checks: 3 statements in 2 round trips", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const { result, cost } = await measure((counted) => route(counted, "POST", `/api/articles/${id}/check`));
    expect(result.status).toBe(200);
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 3,
      d1RoundTrips: [["INSERT hosts", "SELECT articles"], ["UPDATE articles"]],
      rowsRead: 6,
      rowsWritten: 3,
      messages: 0,
      fetched: [304],
    });
  });

  it("POST /api/articles/:id/check on a host that is not free yet costs the claim batch only, and fetches nothing", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await env.DB.prepare("UPDATE hosts SET next_allowed_at = ? WHERE host = 'en.yna.co.kr'").bind(Date.now() + 60_000).run();
    const { result, cost } = await measure((counted) => route(counted, "POST", `/api/articles/${id}/check`));
    expect(result.status).toBe(429);
    expect(cost).toEqual({ ...NO_KV, d1Statements: 2, d1RoundTrips: [["INSERT hosts", "SELECT articles"]], rowsRead: 5, rowsWritten: 0, messages: 0, fetched: [] });
  });

  it("POST /api/articles of a new URL on a known host: the look-up, the host claim with its row (robots.txt cached), and the first capture's batch of four", async () => {
    await tracked(SEED_URLS.hankyoreh3rdRound, 1);
    await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
    const { result, cost } = await measure((counted) => route(counted, "POST", "/api/articles", { url: SEED_URLS.hankyoreh1stRound }));
    expect(result.status).toBe(201);
    expect(cost).toEqual({
      kvReads: 0,
      kvWrites: 2,
      d1Statements: 7,
      d1RoundTrips: [["SELECT articles"], ["INSERT hosts", "SELECT hosts"], ["INSERT versions", "INSERT version_search", "INSERT changes", "INSERT articles"]],
      rowsRead: 4,
      rowsWritten: 14,
      messages: 1,
      fetched: [200],
    });
  });

  it("DELETE reads the head twice (the route, then setTracking) and commits one UPDATE", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    const { result, cost } = await measure((counted) => route(counted, "DELETE", `/api/articles/${id}`));
    expect(result.status).toBe(200);
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 3,
      d1RoundTrips: [["SELECT articles"], ["SELECT articles"], ["UPDATE articles"]],
      rowsRead: 8,
      rowsWritten: 3,
      messages: 0,
      fetched: [],
    });
  });

  it("resuming (POSTing the URL of a deleted article) reads the head twice and commits one UPDATE", async () => {
    const id = await tracked(SEED_URLS.yonhap, 1);
    await check(id);
    await route(env, "DELETE", `/api/articles/${id}`);
    const { result, cost } = await measure((counted) => route(counted, "POST", "/api/articles", { url: SEED_URLS.yonhap }));
    expect(result.status).toBe(200);
    expect(cost).toEqual({
      ...NO_KV,
      d1Statements: 3,
      d1RoundTrips: [["SELECT articles"], ["SELECT articles"], ["UPDATE articles"]],
      rowsRead: 8,
      rowsWritten: 3,
      messages: 0,
      fetched: [],
    });
  });
});
