/**
 * Newsroom scale (issue 13): the cron as a dispatcher, the checks queue's consumer, politeness
 * per host and robots.txt. The queue is driven by hand (test/queue-helpers.ts): the dispatcher's
 * sendBatch is spied on, and the consumer gets the captured messages, so every count is exact.
 * Articles the dispatcher merely schedules are inserted as rows; checked ones are real pages of
 * the replay origin.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../src/env";
import { QUEUES } from "../src/queues/names";
import { articleIdFor } from "../src/fetching/url";
import { checkArticle, dispatchDueChecks, scaleSettings, trackerFor, trackNewArticle } from "../src/tracking";
import { DISPATCH_ENTRIES, DISPATCH_WINDOW_MS, LEASE_GRACE_MS } from "../src/tracking/dispatch";
import { QUEUED_RESEND_AFTER_MS } from "../src/discovery/plan";
import { app } from "../src/app";
import { SourceChecks } from "../src/storage/source-checks";
import { ADMIN, api, instrumented, reset, robotsFetches, SEED_URLS, serveRobots, serveTimelineEntry, setReplayClock, track } from "./helpers";
import { captureChecks, consume, drain, subjectOf, tick, type CapturedChecks } from "./queue-helpers";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A tick time a month ahead of the clock: the consumer checks as of max(now, the message's time), so the message's time rules. */
const T = Math.ceil(Date.now() / HOUR) * HOUR + 30 * 24 * HOUR;

let queue: CapturedChecks;

/** Article rows due at `T - overdueMs` each (ids a000…), on `host`; no version, no fetch needed to schedule them. */
async function insertDue(rows: Array<{ host: string; overdueMs: number }>, start = 0): Promise<string[]> {
  const ids = rows.map((_, i) => (0xa000 + start + i).toString(16).padStart(16, "0"));
  const statements = rows.map(({ host, overdueMs }, i) =>
    env.DB.prepare(
      "INSERT INTO articles (id, url, site, title, first_seen_at, last_changed_at, next_check_at) VALUES (?, ?, ?, 'x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', ?)",
    ).bind(ids[i], `https://${host}/story/${start + i}`, host, T - overdueMs),
  );
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
  return ids;
}

const leaseOf = async (id: string) => (await env.DB.prepare("SELECT lease_until FROM articles WHERE id = ?").bind(id).first<{ lease_until: number | null }>())!.lease_until;
const status = async () => (await api("GET", "/api/status")).json;

beforeEach(async () => {
  queue = captureChecks();
  await reset();
});
afterEach(() => {
  queue.spies.forEach((spy) => spy.mockRestore());
  vi.restoreAllMocks();
});

describe("the dispatcher", () => {
  it("sends exactly the due articles, in batches of at most 100, most overdue first, each host's messages a second apart", async () => {
    // 250 due on three hosts, interleaved by how overdue they are, and 5 not due yet.
    const due = await insertDue(Array.from({ length: 250 }, (_, i) => ({ host: ["a.test", "b.test", "c.test"][i % 3]!, overdueMs: (250 - i) * MINUTE })));
    await insertDue(Array.from({ length: 5 }, () => ({ host: "a.test", overdueMs: -HOUR })), 1000);
    // The deployment's default MIN_HOST_INTERVAL_MS (1000 ms; the tests' bindings set 0).
    await tick(T, { ...env, MIN_HOST_INTERVAL_MS: undefined });

    expect(queue.batches).toEqual([100, 100, 50]);
    expect(queue.pending.map(subjectOf)).toEqual(due);
    const delaysOf = (host: string) => queue.pending.filter((m) => m.body.host === host).map((m) => m.delaySeconds);
    expect(delaysOf("a.test")).toEqual(Array.from({ length: 84 }, (_, n) => n));
    expect(delaysOf("b.test")).toEqual(Array.from({ length: 83 }, (_, n) => n));
    expect(delaysOf("c.test")).toEqual(Array.from({ length: 83 }, (_, n) => n));
    expect(queue.pending[3]!.body).toEqual({ type: "check", articleId: due[3], host: "a.test", notBefore: T + SECOND });
    expect((await status()).lastDispatch).toEqual({
      at: new Date(T).toISOString(),
      finishedAt: expect.any(String),
      due: 250,
      dispatched: 250,
      deferred: 0,
      deferredBy: { lease: 0, politeness: 0, batchCap: 0 },
      sendBatches: 3,
      sources: { due: 0, dispatched: 0, deferred: 0, leased: 0 },
      entries: { due: 0, resent: 0 },
    });
  });

  it("sends nothing on a second tick at the same time (the articles are leased), and an undelivered article again once its lease expires", async () => {
    const [first] = await insertDue([{ host: "a.test", overdueMs: MINUTE }]);
    await tick(T);
    expect(queue.pending).toHaveLength(1);
    expect(await leaseOf(first!)).toBe(T + DISPATCH_WINDOW_MS + LEASE_GRACE_MS);
    queue.pending = []; // the message is lost: never delivered

    await tick(T);
    expect(queue.pending).toHaveLength(0);
    expect((await status()).lastDispatch).toMatchObject({ due: 1, dispatched: 0, deferred: 1, deferredBy: { lease: 1, politeness: 0, batchCap: 0 } });

    await tick(T + DISPATCH_WINDOW_MS + LEASE_GRACE_MS - MINUTE);
    expect(queue.pending).toHaveLength(0);
    await tick(T + DISPATCH_WINDOW_MS + LEASE_GRACE_MS + 1);
    expect(queue.pending.map(subjectOf)).toEqual([first]);
  });

  it("gives a host over its budget its most overdue articles first; the rest keep their place, unleased, and go first on the next tick; other hosts are not held up", async () => {
    // slow.test asks for a minute between requests: 15 fit in a tick's 15-minute window.
    await env.DB.prepare("INSERT INTO hosts (host, min_interval_ms) VALUES ('slow.test', 60000)").run();
    const slow = await insertDue(Array.from({ length: 20 }, (_, i) => ({ host: "slow.test", overdueMs: (20 - i) * HOUR })));
    const [quick] = await insertDue([{ host: "quick.test", overdueMs: MINUTE }], 100);
    await tick(T);

    expect(queue.pending.map(subjectOf)).toEqual([...slow.slice(0, 15), quick]);
    expect(queue.pending.filter((m) => m.body.host === "slow.test").map((m) => m.delaySeconds)).toEqual(Array.from({ length: 15 }, (_, n) => n * 60));
    expect((await status()).lastDispatch).toMatchObject({ due: 21, dispatched: 16, deferred: 5, deferredBy: { lease: 0, politeness: 5, batchCap: 0 } });
    expect(await Promise.all(slow.slice(15).map(leaseOf))).toEqual([null, null, null, null, null]);

    // The next tick starts slow.test after the slots it already booked, with the five that waited.
    queue.pending = [];
    await tick(T + DISPATCH_WINDOW_MS);
    expect(queue.pending.map((m) => [subjectOf(m), m.delaySeconds])).toEqual(slow.slice(15).map((id, n) => [id, n * 60]));
  });

  it("makes 11 D1 statements in 3 round trips, no KV operation and 3 sendBatch calls for a tick with 250 due articles and no due source or entry", async () => {
    await insertDue(Array.from({ length: 250 }, (_, i) => ({ host: `h${i % 7}.test`, overdueMs: (i + 1) * MINUTE })));
    const probe = instrumented();
    await dispatchDueChecks(trackerFor(probe.env).store, probe.env.CHECKS, T, scaleSettings(probe.env), new SourceChecks(probe.env.DB));
    expect(probe.counts).toMatchObject({ kvReads: 0, kvWrites: 0, d1Statements: 11 });
    expect(probe.d1.trips).toEqual([
      ["SELECT sources", "WITH ?", "UPDATE sources", "SELECT source_entries"],
      ["SELECT articles", "WITH ?", "UPDATE articles"],
      ["INSERT hosts", "INSERT runs", "DELETE check_counts", "DELETE deliveries"],
    ]);
    expect(queue.batches).toEqual([100, 100, 50]);
  });
});

/** Source rows due at `T - overdueMs` each (ids 5000…), on `host`, with their status. */
async function insertSources(rows: Array<{ host: string; overdueMs: number; status?: string }>): Promise<string[]> {
  const ids = rows.map((_, i) => (0x5000 + i).toString(16).padStart(16, "0"));
  await env.DB.batch(
    rows.map(({ host, overdueMs, status = "active" }, i) =>
      env.DB.prepare("INSERT INTO sources (id, url, site, type, status, created_at, next_check_at) VALUES (?, ?, ?, 'rss', ?, '2026-01-01T00:00:00.000Z', ?)").bind(
        ids[i],
        `https://${host}/feed/${i}.xml`,
        host,
        status,
        T - overdueMs,
      ),
    ),
  );
  return ids;
}

describe("the dispatcher, with sources", () => {
  it("sends the due sources that are not paused first, most overdue first, and the articles of their hosts after their slots", async () => {
    const [late, early, failing, paused, notDue] = await insertSources([
      { host: "a.test", overdueMs: MINUTE },
      { host: "a.test", overdueMs: HOUR },
      { host: "b.test", overdueMs: 2 * MINUTE, status: "failing" },
      { host: "a.test", overdueMs: 2 * HOUR, status: "paused" },
      { host: "c.test", overdueMs: -HOUR },
    ]);
    const articles = await insertDue([{ host: "a.test", overdueMs: 3 * HOUR }, { host: "b.test", overdueMs: 3 * HOUR }]);
    await tick(T, { ...env, MIN_HOST_INTERVAL_MS: undefined });

    expect(queue.pending.map((m) => [m.body.type, subjectOf(m), m.delaySeconds])).toEqual([
      ["source", early, 0],
      ["source", failing, 0],
      ["source", late, 1],
      ["check", articles[0], 2],
      ["check", articles[1], 1],
    ]);
    expect(queue.pending[0]!.body).toEqual({ type: "source", sourceId: early, host: "a.test", notBefore: T, reason: "schedule" });
    expect((await status()).lastDispatch).toMatchObject({ due: 2, dispatched: 2, sources: { due: 3, dispatched: 3, deferred: 0, leased: 0 } });
    const leases = await env.DB.prepare("SELECT id, lease_until FROM sources ORDER BY id").all<{ id: string; lease_until: number | null }>();
    const leaseUntil = T + DISPATCH_WINDOW_MS + LEASE_GRACE_MS;
    expect(leases.results).toEqual([
      { id: late, lease_until: leaseUntil },
      { id: early, lease_until: leaseUntil },
      { id: failing, lease_until: leaseUntil },
      { id: paused, lease_until: null },
      { id: notDue, lease_until: null },
    ]);

    // Leased: the next tick at the same time sends no source again.
    queue.pending = [];
    await tick(T, { ...env, MIN_HOST_INTERVAL_MS: undefined });
    expect(queue.pending.filter((m) => m.body.type === "source")).toEqual([]);
    expect((await status()).lastDispatch.sources).toEqual({ due: 3, dispatched: 0, deferred: 3, leased: 3 });
  });

  it("counts a host's sources against its budget: with a 5-minute Crawl-delay, 3 due sources and 3 due articles, the tick sends the 3 sources and the first article", async () => {
    await env.DB.prepare("INSERT INTO hosts (host, crawl_delay_ms) VALUES ('slow.test', ?)").bind(5 * MINUTE).run();
    const sources = await insertSources([0, 1, 2].map((n) => ({ host: "slow.test", overdueMs: (3 - n) * MINUTE })));
    const articles = await insertDue([0, 1, 2].map((n) => ({ host: "slow.test", overdueMs: (10 - n) * HOUR })));
    await tick(T);
    expect(queue.pending.map((m) => [subjectOf(m), m.delaySeconds])).toEqual([
      [sources[0], 0],
      [sources[1], 300],
      [sources[2], 600],
    ]);
    // 15 minutes hold 3 requests 5 minutes apart: the articles wait, in their place, for the next tick.
    expect((await status()).lastDispatch).toMatchObject({ due: 3, dispatched: 0, deferredBy: { politeness: 3 } });
    queue.pending = [];
    await tick(T + DISPATCH_WINDOW_MS);
    expect(queue.pending.map((m) => [subjectOf(m), m.delaySeconds])).toEqual([
      [articles[0], 0],
      [articles[1], 300],
      [articles[2], 600],
    ]);
  });

  it("adds one round trip (the hosts' booking) to a tick that leases sources", async () => {
    await insertSources([{ host: "a.test", overdueMs: MINUTE }]);
    await insertDue([{ host: "a.test", overdueMs: MINUTE }]);
    const probe = instrumented();
    await dispatchDueChecks(trackerFor(probe.env).store, probe.env.CHECKS, T, scaleSettings(probe.env), new SourceChecks(probe.env.DB));
    expect(probe.d1.trips).toEqual([
      ["SELECT sources", "WITH ?", "UPDATE sources", "SELECT source_entries"],
      ["INSERT hosts"],
      ["SELECT articles", "WITH ?", "UPDATE articles"],
      ["INSERT hosts", "INSERT runs", "DELETE check_counts", "DELETE deliveries"],
    ]);
    expect(queue.batches).toEqual([2]);
  });
});

/** A source's entries as its checks and the discover consumer leave them (found an hour before T unless said). */
async function insertEntries(
  sourceId: string,
  rows: Array<{ url: string; state: "queued" | "failed" | "tracked"; retryAt: number | null; foundAt?: number; entryTitle?: string; lastError?: string }>,
): Promise<void> {
  const statements = await Promise.all(
    rows.map(async ({ url, state, retryAt, foundAt = T - HOUR, entryTitle = null, lastError = null }) =>
      env.DB.prepare("INSERT INTO source_entries (source_id, url, article_id, state, entry_title, found_at, retry_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").bind(
        sourceId,
        url,
        await articleIdFor(url),
        state,
        entryTitle,
        foundAt,
        retryAt,
        lastError,
      ),
    ),
  );
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}

const entryStates = async (sourceId: string) =>
  (
    await env.DB.prepare("SELECT url, state, retry_at, last_error FROM source_entries WHERE source_id = ? ORDER BY url").bind(sourceId).all<{
      url: string;
      state: string;
      retry_at: number | null;
      last_error: string | null;
    }>()
  ).results;

describe("the dispatcher, with source entries", () => {
  const entry = (host: string, n: number) => `https://${host}/entry/${n}`;

  it("sends a queued entry past its retry time and a failed one past its retry time again as discover messages, moved to queued with a new retry time, once", async () => {
    const [source] = await insertSources([{ host: "feeds.test", overdueMs: -HOUR }]);
    await insertEntries(source!, [
      { url: entry("a.test", 1), state: "queued", retryAt: T - 2 * MINUTE, entryTitle: "Lost" },
      { url: entry("a.test", 2), state: "failed", retryAt: T, lastError: "first capture of \"x\" failed: the page answered HTTP 500" },
      { url: entry("a.test", 3), state: "queued", retryAt: T + MINUTE },
      { url: entry("a.test", 4), state: "failed", retryAt: T + HOUR },
      { url: entry("a.test", 5), state: "tracked", retryAt: null },
    ]);
    await tick(T);

    expect(queue.pending).toEqual([
      { body: { type: "discover", sourceId: source, url: entry("a.test", 1), host: "a.test", entryTitle: "Lost", foundAt: T - HOUR, notBefore: T }, delaySeconds: 0 },
      // MIN_HOST_INTERVAL_MS is 0 in the tests: the host's interval is its floor of 1 ms, rounded up to a second.
      { body: { type: "discover", sourceId: source, url: entry("a.test", 2), host: "a.test", entryTitle: null, foundAt: T - HOUR, notBefore: T + SECOND }, delaySeconds: 1 },
    ]);
    expect(await entryStates(source!)).toEqual([
      { url: entry("a.test", 1), state: "queued", retry_at: T + QUEUED_RESEND_AFTER_MS, last_error: null },
      { url: entry("a.test", 2), state: "queued", retry_at: T + SECOND + QUEUED_RESEND_AFTER_MS, last_error: null },
      { url: entry("a.test", 3), state: "queued", retry_at: T + MINUTE, last_error: null },
      { url: entry("a.test", 4), state: "failed", retry_at: T + HOUR, last_error: null },
      { url: entry("a.test", 5), state: "tracked", retry_at: null, last_error: null },
    ]);
    expect((await status()).lastDispatch).toMatchObject({ due: 0, dispatched: 0, sendBatches: 1, entries: { due: 2, resent: 2 } });

    // Moved: a second tick at the same time sends neither again.
    queue.pending = [];
    await tick(T);
    expect(queue.pending).toEqual([]);
    expect((await status()).lastDispatch.entries).toEqual({ due: 0, resent: 0 });
  });

  it("never picks an entry given up (failed, no retry time) or tracked, however late the tick", async () => {
    const [source] = await insertSources([{ host: "feeds.test", overdueMs: -100 * DAY }]);
    await insertEntries(source!, [
      { url: entry("a.test", 1), state: "failed", retryAt: null, foundAt: T - 8 * DAY, lastError: "first capture of \"x\" failed: the page answered HTTP 404" },
      { url: entry("a.test", 2), state: "tracked", retryAt: null },
    ]);
    await tick(T + 30 * DAY);
    expect(queue.pending).toEqual([]);
    expect((await status()).lastDispatch.entries).toEqual({ due: 0, resent: 0 });
    expect((await entryStates(source!)).map((row) => [row.state, row.retry_at])).toEqual([
      ["failed", null],
      ["tracked", null],
    ]);
  });

  it("leaves a paused source's entries alone (not due, not moved) and sends them once it is active again", async () => {
    const [paused] = await insertSources([{ host: "feeds.test", overdueMs: -HOUR, status: "paused" }]);
    await insertEntries(paused!, [{ url: entry("a.test", 1), state: "queued", retryAt: T - MINUTE }]);
    await tick(T);
    expect(queue.pending).toEqual([]);
    expect((await status()).lastDispatch.entries).toEqual({ due: 0, resent: 0 });
    expect(await entryStates(paused!)).toMatchObject([{ state: "queued", retry_at: T - MINUTE }]);

    await env.DB.prepare("UPDATE sources SET status = 'active' WHERE id = ?").bind(paused).run();
    await tick(T + DISPATCH_WINDOW_MS);
    expect(queue.pending.map((m) => [m.body.type, subjectOf(m)])).toEqual([["discover", entry("a.test", 1)]]);
  });

  it(`sends at most ${DISPATCH_ENTRIES} entries a tick, oldest retry time first; the rest go on the next tick`, async () => {
    const [source] = await insertSources([{ host: "feeds.test", overdueMs: -HOUR }]);
    const urls = Array.from({ length: DISPATCH_ENTRIES + 20 }, (_, n) => entry(`h${n % 7}.test`, n));
    // Inserted newest first: the tick's order is the retry times', not the rows'.
    await insertEntries(source!, urls.map((url, n) => ({ url, state: "queued" as const, retryAt: T - (n + 1) * MINUTE })).reverse());
    await tick(T);
    const oldestFirst = [...urls].reverse();
    expect(queue.pending.map(subjectOf)).toEqual(oldestFirst.slice(0, DISPATCH_ENTRIES));
    expect(queue.batches).toEqual([100]);
    expect((await status()).lastDispatch.entries).toEqual({ due: DISPATCH_ENTRIES + 20, resent: DISPATCH_ENTRIES });

    queue.pending = [];
    await tick(T);
    expect(queue.pending.map(subjectOf)).toEqual(oldestFirst.slice(DISPATCH_ENTRIES));
    expect((await status()).lastDispatch.entries).toEqual({ due: 20, resent: 20 });
  });

  it("spaces a host's entries after its sources and before its articles, in one budget, and books the host to the end of its last slot", async () => {
    const [feed, other] = await insertSources([
      { host: "a.test", overdueMs: MINUTE },
      { host: "feeds.test", overdueMs: -HOUR },
    ]);
    await insertEntries(other!, [
      { url: entry("a.test", 1), state: "queued", retryAt: T - 2 * MINUTE },
      { url: entry("b.test", 2), state: "failed", retryAt: T - 2 * MINUTE },
      { url: entry("a.test", 3), state: "failed", retryAt: T - MINUTE },
    ]);
    const articles = await insertDue([{ host: "a.test", overdueMs: 3 * HOUR }, { host: "a.test", overdueMs: 2 * HOUR }]);
    // The deployment's default MIN_HOST_INTERVAL_MS: 1 s between two requests to a host.
    await tick(T, { ...env, MIN_HOST_INTERVAL_MS: undefined });

    expect(queue.pending.map((m) => [m.body.type, subjectOf(m), m.delaySeconds])).toEqual([
      ["source", feed, 0],
      ["discover", entry("a.test", 1), 1],
      ["discover", entry("b.test", 2), 0],
      ["discover", entry("a.test", 3), 2],
      ["check", articles[0], 3],
      ["check", articles[1], 4],
    ]);
    const booked = await env.DB.prepare("SELECT host, booked_until FROM hosts ORDER BY host").all<{ host: string; booked_until: number }>();
    expect(booked.results).toEqual([
      { host: "a.test", booked_until: T + 5 * SECOND },
      { host: "b.test", booked_until: T + SECOND },
    ]);
    // By URL: a.test's two entries, then b.test's; each sent again an hour after its slot.
    expect((await entryStates(other!)).map((row) => row.retry_at)).toEqual([T + SECOND, T + 2 * SECOND, T].map((slot) => slot + QUEUED_RESEND_AFTER_MS));
    expect((await status()).lastDispatch).toMatchObject({ due: 2, dispatched: 2, sources: { dispatched: 1 }, entries: { due: 3, resent: 3 } });
  });

  it("sends only the entries its compare-and-set moved: one captured between the pick and the move is not sent", async () => {
    const [source] = await insertSources([{ host: "feeds.test", overdueMs: -HOUR }]);
    await insertEntries(source!, [
      { url: entry("a.test", 1), state: "queued", retryAt: T - MINUTE },
      { url: entry("a.test", 2), state: "failed", retryAt: T - MINUTE },
    ]);
    // The discover consumer of an earlier message tracks entry 1 while the tick reads the hosts.
    const racing = new (class extends SourceChecks {
      override async bookHosts(...args: Parameters<SourceChecks["bookHosts"]>) {
        const hosts = await super.bookHosts(...args);
        await env.DB.prepare("UPDATE source_entries SET state = 'tracked', retry_at = NULL WHERE url = ?").bind(entry("a.test", 1)).run();
        return hosts;
      }
    })(env.DB);
    const record = await dispatchDueChecks(trackerFor(env).store, env.CHECKS, T, scaleSettings(env), racing);
    expect(queue.pending.map(subjectOf)).toEqual([entry("a.test", 2)]);
    expect(record.entries).toEqual({ due: 2, resent: 1 });
    expect((await entryStates(source!)).map((row) => [row.state, row.retry_at])).toEqual([
      ["tracked", null],
      ["queued", T + SECOND + QUEUED_RESEND_AFTER_MS],
    ]);
  });

  it("adds one statement and no round trip to a tick with no due entry, reading no entry row", async () => {
    const [source] = await insertSources([{ host: "feeds.test", overdueMs: -HOUR }]);
    await insertEntries(source!, [
      ...Array.from({ length: 30 }, (_, n) => ({ url: entry("a.test", n), state: "tracked" as const, retryAt: null })),
      ...Array.from({ length: 5 }, (_, n) => ({ url: entry("b.test", n), state: "queued" as const, retryAt: T + HOUR })),
      ...Array.from({ length: 5 }, (_, n) => ({ url: entry("c.test", n), state: "failed" as const, retryAt: null })),
    ]);
    const probe = instrumented();
    await dispatchDueChecks(trackerFor(probe.env).store, probe.env.CHECKS, T, scaleSettings(probe.env), new SourceChecks(probe.env.DB));
    expect(probe.counts).toEqual({ kvReads: 0, kvWrites: 0, d1Statements: 11 });
    expect(probe.d1.trips).toEqual([
      ["SELECT sources", "WITH ?", "UPDATE sources", "SELECT source_entries"],
      ["SELECT articles", "WITH ?", "UPDATE articles"],
      ["INSERT hosts", "INSERT runs", "DELETE check_counts", "DELETE deliveries"],
    ]);
    // As many as the same tick with no entry stored at all: the pick probes the index and reads none of the 40 rows.
    expect({ rowsRead: probe.d1.rowsRead, rowsWritten: probe.d1.rowsWritten }).toEqual({ rowsRead: 41, rowsWritten: 2 });
    expect(queue.batches).toEqual([]);
  });

  it("costs a tick with due entries two more round trips: the hosts' rows read, then the entries moved and their hosts booked", async () => {
    const [source] = await insertSources([{ host: "feeds.test", overdueMs: -HOUR }]);
    await insertEntries(source!, [
      { url: entry("a.test", 1), state: "queued", retryAt: T - MINUTE },
      { url: entry("b.test", 2), state: "failed", retryAt: T - MINUTE },
    ]);
    const probe = instrumented();
    await dispatchDueChecks(trackerFor(probe.env).store, probe.env.CHECKS, T, scaleSettings(probe.env), new SourceChecks(probe.env.DB));
    expect(probe.counts).toEqual({ kvReads: 0, kvWrites: 0, d1Statements: 14 });
    expect(probe.d1.trips).toEqual([
      ["SELECT sources", "WITH ?", "UPDATE sources", "SELECT source_entries"],
      ["SELECT hosts"],
      ["UPDATE source_entries", "INSERT hosts"],
      ["SELECT articles", "WITH ?", "UPDATE articles"],
      ["INSERT hosts", "INSERT runs", "DELETE check_counts", "DELETE deliveries"],
    ]);
    expect({ rowsRead: probe.d1.rowsRead, rowsWritten: probe.d1.rowsWritten }).toEqual({ rowsRead: 71, rowsWritten: 12 });
    expect(queue.batches).toEqual([2]);
  });
});

describe("the checks consumer", () => {
  it("checks each message's article through the commit path, as of the message's time, and counts the outcome", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id: string = (await track(SEED_URLS.yonhap)).json.id;
    const at = Date.parse((await api("GET", `/api/articles/${id}`)).json.nextCheckAt);
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const result = await consume([{ body: { type: "check", articleId: id, host: "en.yna.co.kr", notBefore: at } }]);
    expect(result.explicitAcks).toHaveLength(1);
    const article = (await api("GET", `/api/articles/${id}`)).json;
    expect(article).toMatchObject({ versionCount: 2, lastCheckedAt: new Date(at).toISOString(), nextCheckAt: new Date(at + 15 * MINUTE).toISOString() });
    expect(await leaseOf(id)).toBeNull();
    expect((await status()).checks.completedLast24h).toEqual({ "new-version": 1 });
  });

  it("sends a message whose host is not free yet again with the wait as its delay, without retrying it or fetching", async () => {
    const [id] = await insertDue([{ host: "busy.test", overdueMs: MINUTE }]);
    await env.DB.prepare("INSERT INTO hosts (host, next_allowed_at) VALUES ('busy.test', ?)").bind(T + 7_500).run();
    const fetches = vi.spyOn(globalThis, "fetch");
    const result = await consume([{ body: { type: "check", articleId: id!, host: "busy.test", notBefore: T } }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(queue.resent).toEqual([{ body: { type: "check", articleId: id, host: "busy.test", notBefore: T + 8_000 }, delaySeconds: 8 }]);
    expect(fetches).not.toHaveBeenCalled();
  });

  it("holds the whole host back when one article answers 429 with Retry-After, in the consumer and in the next tick", async () => {
    await setReplayClock("2019-06-01T00:00:00Z");
    const [limited] = await insertDue([{ host: "fixtures.redline.test", overdueMs: MINUTE }]);
    await env.DB.prepare("UPDATE articles SET url = 'https://fixtures.redline.test/errors/429' WHERE id = ?").bind(limited).run();
    const [other] = await insertDue([{ host: "fixtures.redline.test", overdueMs: 0 }], 10);
    await consume([{ body: { type: "check", articleId: limited!, host: "fixtures.redline.test", notBefore: T } }]);
    expect((await api("GET", `/api/articles/${limited}`)).json.lastError).toBe("HTTP 429, Retry-After: 120");
    const host = await env.DB.prepare("SELECT next_allowed_at FROM hosts WHERE host = 'fixtures.redline.test'").first<{ next_allowed_at: number }>();
    expect(host!.next_allowed_at).toBe(T + 120 * SECOND);

    const result = await consume([{ body: { type: "check", articleId: other!, host: "fixtures.redline.test", notBefore: T + 10 * SECOND } }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(queue.resent).toEqual([{ body: { type: "check", articleId: other, host: "fixtures.redline.test", notBefore: T + 120 * SECOND }, delaySeconds: 110 }]);
  });

  it("retries a crashing check with back-off, and the dead-letter consumer counts it in /api/status", async () => {
    // A head naming a snapshot KV does not hold: every check of new content throws (and writes nothing).
    await setReplayClock("2019-06-01T00:00:00Z");
    const [id] = await insertDue([{ host: "fixtures.redline.test", overdueMs: MINUTE }]);
    await env.DB.batch([
      env.DB.prepare("UPDATE articles SET url = 'https://fixtures.redline.test/articles/plain.html', version_count = 1, latest_hash = 'old' WHERE id = ?").bind(id),
      env.DB.prepare("INSERT INTO versions (article_id, n, captured_at, content_hash, record_sha256, title) VALUES (?, 1, '2026-01-01T00:00:00.000Z', 'old', 'missing', 'x')").bind(id),
    ]);
    const body = { type: "check" as const, articleId: id!, host: "fixtures.redline.test", notBefore: T };
    const first = await consume([{ body, attempts: 1 }]);
    expect(first.retryDelays).toEqual([30]);
    await env.DB.prepare("UPDATE hosts SET next_allowed_at = 0").run();
    const fifth = await consume([{ body, attempts: 5 }]);
    expect(fifth.retryDelays).toEqual([480]);
    expect((await status()).checks.completedLast24h).toEqual({ crashed: 2 });

    const dead = await consume([{ body, attempts: 6 }], QUEUES.checksDeadLetter);
    expect(dead.explicitAcks).toHaveLength(1);
    const checks = (await status()).checks;
    expect(checks.deadLettered).toBe(1);
    expect(checks.lastDeadLetter).toMatchObject({ articleId: id, attempts: 6 });
  });

  it("runs at most 6 fetches at once in one invocation of 12 messages", async () => {
    const ids = await insertDue(Array.from({ length: 12 }, (_, i) => ({ host: `host${i}.test`, overdueMs: MINUTE })));
    let open = 0;
    let most = 0;
    let calls = 0;
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (...args: Parameters<typeof fetch>) => {
      calls++;
      most = Math.max(most, ++open);
      try {
        return await realFetch(...args);
      } finally {
        open--;
      }
    });
    const result = await consume(ids.map((id, i) => ({ body: { type: "check" as const, articleId: id, host: `host${i}.test`, notBefore: T } })));
    expect(result.explicitAcks).toHaveLength(12);
    // Each check fetched its host's robots.txt and then the page (a 404 from the replay origin).
    expect(calls).toBe(24);
    expect(most).toBeLessThanOrEqual(6);
  });
});

describe("immediate checks and first captures claim the host too", () => {
  /** A minute on the hour, an hour ahead: the seeded articles (next check in 15 min) are due, and the host is free. */
  const NOW = Math.ceil(Date.now() / HOUR) * HOUR + HOUR;
  const PLAIN = (n: number) => `https://fixtures.redline.test/articles/plain.html?n=${n}`;

  /** One request to the Worker's fetch handler with Date.now() at `atMs`; `target` defaults to the deployment's MIN_HOST_INTERVAL_MS (1000). */
  async function at(atMs: number, method: string, path: string, body?: unknown, target: Env = { ...env, MIN_HOST_INTERVAL_MS: undefined }) {
    const clock = vi.spyOn(Date, "now").mockReturnValue(atMs);
    try {
      const response = await app.fetch(new Request(`http://redline.test${path}`, { method, headers: ADMIN, body: body === undefined ? undefined : JSON.stringify(body) }), target);
      const text = await response.text();
      return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
    } finally {
      clock.mockRestore();
    }
  }

  async function twoArticlesOnOneHost(): Promise<[string, string]> {
    await setReplayClock("2019-06-01T00:00:00Z");
    const a: string = (await track(PLAIN(1))).json.id;
    const b: string = (await track(PLAIN(2))).json.id;
    return [a, b];
  }

  const nextAllowedAt = async (host: string) => (await env.DB.prepare("SELECT next_allowed_at FROM hosts WHERE host = ?").bind(host).first<{ next_allowed_at: number }>())!.next_allowed_at;

  it("answers an immediate check of a second article within the host's interval with 429 and the exact Retry-After, fetching nothing, and checks it once the interval has passed", async () => {
    const [a, b] = await twoArticlesOnOneHost();
    const before = (await api("GET", `/api/articles/${b}`)).json;
    expect((await at(NOW, "POST", `/api/articles/${a}/check`)).json.outcome).toBe("unchanged");
    expect(await nextAllowedAt("fixtures.redline.test")).toBe(NOW + SECOND);

    const fetches = vi.spyOn(globalThis, "fetch");
    const refused = await at(NOW + 400, "POST", `/api/articles/${b}/check`);
    expect(fetches).not.toHaveBeenCalled();
    fetches.mockRestore();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
    expect(refused.headers.get("Retry-After")).toBe("1");
    const until = new Date(NOW + SECOND).toISOString();
    expect(refused.json).toEqual({
      type: "about:blank",
      status: 429,
      title: "Too Many Requests",
      detail: `fixtures.redline.test is not free until ${until}: Redline spaces its requests to one host (its minimum interval, Crawl-delay or Retry-After), and an earlier request holds the host until then. Nothing was fetched; try again in 1 s.`,
      host: "fixtures.redline.test",
      nextAllowedAt: until,
    });
    expect((await api("GET", `/api/articles/${b}`)).json).toEqual(before);

    const passed = await at(NOW + SECOND, "POST", `/api/articles/${b}/check`);
    expect(passed.status).toBe(200);
    expect(passed.json.article.lastCheckedAt).toBe(new Date(NOW + SECOND).toISOString());
    expect(await nextAllowedAt("fixtures.redline.test")).toBe(NOW + 2 * SECOND);
  });

  it("answers a first capture on a host held by a Retry-After with 429 and the seconds left, storing and fetching nothing, and captures it once the host is free", async () => {
    await setReplayClock("2019-06-01T00:00:00Z");
    await env.DB.prepare("INSERT INTO hosts (host, next_allowed_at) VALUES ('fixtures.redline.test', ?)").bind(NOW + 7_500).run();
    const fetches = vi.spyOn(globalThis, "fetch");
    const refused = await at(NOW, "POST", "/api/articles", { url: PLAIN(9) });
    expect(fetches).not.toHaveBeenCalled();
    fetches.mockRestore();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("8");
    expect(refused.json).toMatchObject({ status: 429, host: "fixtures.redline.test", nextAllowedAt: new Date(NOW + 7_500).toISOString() });
    expect(refused.json.detail).toMatch(/\. Nothing was fetched or stored; try again in 8 s\.$/);
    expect((await api("GET", "/api/articles")).json.items).toEqual([]);

    const created = await at(NOW + 7_500, "POST", "/api/articles", { url: PLAIN(9) });
    expect(created.status).toBe(201);
    expect(await nextAllowedAt("fixtures.redline.test")).toBe(NOW + 7_500 + SECOND);
  });

  it("uses the compare-and-set of the queue consumer: a queued check waits for a manual one's slot, and a manual check is refused the slot a queued one took", async () => {
    const [a, b] = await twoArticlesOnOneHost();
    // A manual check at NOW holds the host for its interval; the queued check of b at NOW + 200 ms is sent again for the rest.
    expect((await at(NOW, "POST", `/api/articles/${a}/check`)).status).toBe(200);
    await consume([{ body: { type: "check", articleId: b, host: "fixtures.redline.test", notBefore: NOW + 200 } }]);
    expect(queue.resent).toEqual([{ body: { type: "check", articleId: b, host: "fixtures.redline.test", notBefore: NOW + 1_200 }, delaySeconds: 1 }]);

    // The other way round, on a host that asks for 5 s: the queued check claims it, the manual one is told when.
    await env.DB.prepare("UPDATE hosts SET next_allowed_at = 0, min_interval_ms = 5000 WHERE host = 'fixtures.redline.test'").run();
    const later = NOW + 10 * SECOND;
    await consume([{ body: { type: "check", articleId: b, host: "fixtures.redline.test", notBefore: later } }]);
    expect(await nextAllowedAt("fixtures.redline.test")).toBe(later + 5 * SECOND);
    const refused = await at(later + 300, "POST", `/api/articles/${a}/check`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("5");
    expect(refused.json.nextAllowedAt).toBe(new Date(later + 5 * SECOND).toISOString());
  });

  it("does not claim the host for an unknown or stopped article (404, 409)", async () => {
    const [a] = await twoArticlesOnOneHost();
    await api("DELETE", `/api/articles/${a}`);
    await env.DB.prepare("UPDATE hosts SET next_allowed_at = 0 WHERE host = 'fixtures.redline.test'").run();
    expect((await at(NOW, "POST", "/api/articles/0123456789abcdef/check")).status).toBe(404);
    expect((await at(NOW, "POST", `/api/articles/${a}/check`)).status).toBe(409);
    expect(await nextAllowedAt("fixtures.redline.test")).toBe(0);
  });
});

describe("robots.txt", () => {
  it("refuses to track a URL its host's robots.txt disallows, with a 422 naming the rule, storing nothing", async () => {
    await serveRobots("en.yna.co.kr", "User-agent: *\nDisallow: /view/\n");
    const { status: code, json } = await track(SEED_URLS.yonhap);
    expect(code).toBe(422);
    expect(json.detail).toBe(
      'This URL cannot be tracked: robots.txt of en.yna.co.kr disallows /view/AEN20191218010400325 for Redline ("Disallow: /view/"). Nothing was fetched or stored.',
    );
    expect((await api("GET", "/api/articles")).json.items).toEqual([]);
    expect(await robotsFetches()).toEqual({ "en.yna.co.kr": 1 });
  });

  it("blocks a tracked article once a later robots.txt disallows it, keeping its history, and resumes it when a later one allows it again", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const id: string = (await track(SEED_URLS.yonhap)).json.id;
    const t0 = Date.parse((await api("GET", `/api/articles/${id}`)).json.firstSeenAt);
    await serveRobots("en.yna.co.kr", "User-agent: Redline\nDisallow: /view/\n");
    const tracker = trackerFor(env);

    // Within 24 h the cached robots.txt still allows it.
    expect((await checkArticle(tracker, (await tracker.store.getHead(id))!, t0 + HOUR)).outcome).toBe("unchanged");
    const blocked = await checkArticle(tracker, (await tracker.store.getHead(id))!, t0 + 25 * HOUR);
    expect(blocked.outcome).toBe("blocked");
    const article = (await api("GET", `/api/articles/${id}`)).json;
    expect(article).toMatchObject({
      status: "blocked",
      versionCount: 1,
      lastError: 'robots.txt of en.yna.co.kr disallows /view/AEN20191218010400325 for Redline ("Disallow: /view/")',
      nextCheckAt: new Date(t0 + 49 * HOUR).toISOString(),
    });
    expect((await api("GET", `/api/articles/${id}/versions`)).json.items).toHaveLength(1);
    expect((await status()).articles).toMatchObject({ blocked: 1, active: 0 });

    await serveRobots("en.yna.co.kr", "User-agent: *\nAllow: /\n");
    const resumed = await checkArticle(tracker, (await tracker.store.getHead(id))!, t0 + 49 * HOUR);
    expect(resumed.outcome).toBe("unchanged");
    expect((await api("GET", `/api/articles/${id}`)).json).toMatchObject({ status: "active", lastError: null, versionCount: 1 });
    expect(await robotsFetches()).toEqual({ "en.yna.co.kr": 3 });
  });

  it("widens a host's spacing to its Crawl-delay", async () => {
    await serveRobots("fixtures.redline.test", "User-agent: *\nCrawl-delay: 5\n");
    await setReplayClock("2019-06-01T00:00:00Z");
    const ids: string[] = [];
    // Tracked through the API, each first capture claims the host: the second would wait 5 s.
    // So they are captured a Crawl-delay apart, as of the times the host allows.
    const tracker = trackerFor(env);
    const t0 = Date.now();
    for (let n = 1; n <= 3; n++) {
      const url = `https://fixtures.redline.test/articles/plain.html?n=${n}`;
      ids.push((await trackNewArticle(tracker, { id: await articleIdFor(url), url }, t0 + (n - 1) * 5 * SECOND)).article.id);
    }
    const due = Math.max(...(await Promise.all(ids.map(async (id) => Date.parse((await api("GET", `/api/articles/${id}`)).json.nextCheckAt)))));
    await tick(due);
    expect(queue.pending.map((m) => m.delaySeconds)).toEqual([0, 5, 10]);
    await drain(queue);
    expect((await status()).checks.completedLast24h).toEqual({ unchanged: 3 });
  });

  it("is fetched once per host per 24 hours however many articles of the host are checked", async () => {
    await setReplayClock("2019-06-01T00:00:00Z");
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++) ids.push((await track(`https://fixtures.redline.test/articles/plain.html?n=${n}`)).json.id);
    const tracker = trackerFor(env);
    const t0 = Date.now();
    for (const id of ids) await checkArticle(tracker, (await tracker.store.getHead(id))!, t0 + HOUR);
    expect(await robotsFetches()).toEqual({ "fixtures.redline.test": 1 });
    for (const id of ids) await checkArticle(tracker, (await tracker.store.getHead(id))!, t0 + 25 * HOUR);
    expect(await robotsFetches()).toEqual({ "fixtures.redline.test": 2 });
  });
});
