/**
 * /api/status counts articles, versions and changes from the one `article_stats` row that the
 * triggers on `articles` keep (migrations/0003_article_stats.sql): exact after any history, and
 * read without touching an article row, so the request's D1 rows read do not grow with the
 * number of articles (the aggregate it replaces read every article row).
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../src/app";
import { checkArticle, trackerFor } from "../src/tracking";
import { ADMIN, api, check, instrumented, reset, SEED_URLS, serveRobots, serveTimelineEntry, setReplayClock, track } from "./helpers";

const TEST_SITE = "https://fixtures.redline.test";
const HOUR = 60 * 60 * 1000;

/** What /api/status shows, counted the expensive way: one aggregate over every article row. */
async function fullCount() {
  const row = (await env.DB.prepare(
    `SELECT COUNT(*) AS total, COALESCE(SUM(tracking), 0) AS tracking, COALESCE(SUM(status = 'active'), 0) AS active,
       COALESCE(SUM(status = 'removed'), 0) AS removed, COALESCE(SUM(status = 'failing'), 0) AS failing,
       COALESCE(SUM(status = 'blocked'), 0) AS blocked, COALESCE(SUM(status = 'retired'), 0) AS retired, COALESCE(SUM(version_count), 0) AS versions, COALESCE(SUM(change_count), 0) AS changes
     FROM articles`,
  ).first<Record<string, number>>())!;
  const { versions, changes, ...articles } = row;
  return { articles, versions, changes };
}

async function shownCounts() {
  const { json } = await api("GET", "/api/status");
  return { articles: json.articles, versions: json.versions, changes: json.changes };
}

/** Points a stored article at another fixture path, as if its server began answering differently. */
async function serveFrom(id: string, path: string) {
  await env.DB.prepare("UPDATE articles SET url = ?, etag = NULL, last_modified = NULL WHERE id = ?").bind(`${TEST_SITE}${path}`, id).run();
}

/** Article rows written straight into D1 (ids b000…), as an operator or the dispatcher tests do. */
async function insertByHand(count: number, row: { status?: string; tracking?: number; versions?: number; changes?: number } = {}, start = 0): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => (0xb000 + start + i).toString(16).padStart(16, "0"));
  const statements = ids.map((id, i) =>
    env.DB.prepare(
      `INSERT INTO articles (id, url, site, title, first_seen_at, last_changed_at, next_check_at, status, tracking, version_count, change_count)
       VALUES (?, ?, 'hand.test', 'x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 0, ?, ?, ?, ?)`,
    ).bind(id, `https://hand.test/story/${start + i}`, row.status ?? "active", row.tracking ?? 1, row.versions ?? 1, row.changes ?? 1),
  );
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
  return ids;
}

beforeEach(async () => {
  await reset();
});

describe("the counts of /api/status", () => {
  it("start at zero on an empty database", async () => {
    expect(await shownCounts()).toEqual({ articles: { total: 0, tracking: 0, active: 0, removed: 0, failing: 0, blocked: 0, retired: 0 }, versions: 0, changes: 0 });
  });

  it("equal a full COUNT over articles after a mixed history: tracked, stopped, resumed, failing, removed, a new version, blocked, rows inserted and deleted by hand", async () => {
    await setReplayClock("2019-06-01T00:00:00Z");
    const tracked = async (n: number) => {
      const created = await track(`${TEST_SITE}/articles/plain.html?n=${n}`);
      expect(created.status).toBe(201);
      return created.json.id as string;
    };
    await tracked(1); // tracked, active
    const stopped = await tracked(2);
    expect((await api("DELETE", `/api/articles/${stopped}`)).json.tracking).toBe(false);
    const resumed = await tracked(3);
    await api("DELETE", `/api/articles/${resumed}`);
    expect((await track(`${TEST_SITE}/articles/plain.html?n=3`)).json.tracking).toBe(true);
    const failing = await tracked(4);
    await serveFrom(failing, "/errors/503");
    expect((await check(failing)).json.status).toBe("failing");
    const removed = await tracked(5);
    await serveFrom(removed, "/errors/410");
    await check(removed);
    expect((await check(removed)).json.status).toBe("removed");

    // A second version, then blocked by a robots.txt fetched once the cached one is a day old.
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const yonhap: string = (await track(SEED_URLS.yonhap)).json.id;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    expect((await check(yonhap)).json.outcome).toBe("new-version");
    await serveRobots("en.yna.co.kr", "User-agent: *\nDisallow: /view/\n");
    const tracker = trackerFor(env);
    expect((await checkArticle(tracker, (await tracker.store.getHead(yonhap))!, Date.now() + 25 * HOUR)).outcome).toBe("blocked");

    // An operator's rows: one inserted, and one inserted then deleted.
    await insertByHand(1, { status: "failing", tracking: 0, versions: 3, changes: 4 });
    const [gone] = await insertByHand(1, { status: "removed", versions: 7, changes: 9 }, 1);
    await env.DB.prepare("DELETE FROM articles WHERE id = ?").bind(gone).run();

    const shown = await shownCounts();
    expect(shown).toEqual(await fullCount());
    expect(shown).toEqual({ articles: { total: 7, tracking: 5, active: 3, removed: 1, failing: 2, blocked: 1, retired: 0 }, versions: 10, changes: 12 });
  });

  it("read the same D1 rows for 40 articles as for 3: the stats row, never an article row", async () => {
    const rowsReadByStatus = async () => {
      const probe = instrumented();
      const response = await app.fetch(new Request("http://redline.test/api/status", { headers: ADMIN }), probe.env);
      expect(response.status).toBe(200);
      return { trips: probe.d1.trips, rowsRead: probe.d1.rowsRead, articles: ((await response.json()) as { articles: { total: number } }).articles.total };
    };
    await insertByHand(3);
    const few = await rowsReadByStatus();
    await insertByHand(37, {}, 3);
    const many = await rowsReadByStatus();

    expect([few.articles, many.articles]).toEqual([3, 40]);
    expect(many.rowsRead).toBe(few.rowsRead);
    // The stats row (1), and what miniflare's D1 reports for the `check_counts` GROUP BY over no
    // counter rows (2), and for the sources' aggregate over no source (1); the `runs` and
    // dead-letter rows do not exist yet. No article row.
    expect(many.rowsRead).toBe(4);
    expect(many.trips).toEqual([["SELECT article_stats"], ["SELECT runs"], ["SELECT runs"], ["SELECT check_counts", "SELECT counters"], ["SELECT sources"]]);
  });
});
