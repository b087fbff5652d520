/**
 * Checking sources (issue 14): the `source` message's check (robots.txt, conditional GET, parse,
 * filter, plan, one commit) and the `discover` messages it sends, whose consumer makes each first
 * capture through the commit path of POST /api/articles and links it to the source. Feeds are
 * served by the ad-hoc origin, the entries' pages by the replay origin; the queue is driven by hand.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkSourceNow } from "../src/discovery/check-source";
import { QUEUED_RESEND_AFTER_MS } from "../src/discovery/plan";
import { articleIdFor } from "../src/fetching/url";
import type { DiscoverMessage } from "../src/queues/messages";
import { QUEUES } from "../src/queues/names";
import { trackerFor } from "../src/tracking";
import { answerWith } from "./ad-hoc-origin";
import { api, track } from "./helpers";
import { consume, drain, subjectOf, tick } from "./queue-helpers";
import { DAY, entryRows, FEED, HOUR, insertSource, MINUTE, rss, SECOND, sourceRow, storyUrl, T, useSourceCheckBed } from "./source-helpers";


const bed = useSourceCheckBed();

/** One consumer invocation of the source's scheduled check as of `at`. */
async function checkSourceAt(sourceId: string, at: number, reason?: "websub") {
  return consume([{ body: { type: "source", sourceId, host: new URL(FEED).hostname, notBefore: at, ...(reason ? { reason } : {}) } }]);
}

/** The sources' own URLs requested (robots.txt aside). */
const fetched = () => bed.origin.requested.filter((url) => !url.endsWith("/robots.txt"));
const discovers = () => bed.queue.pending.filter((m) => m.body.type === "discover").map((m) => ({ ...(m.body as DiscoverMessage), delaySeconds: m.delaySeconds }));
const sourcesOf = async (articleId: string) => (await api("GET", `/api/articles/${articleId}`)).json;
const linkRows = async (sourceId: string) =>
  (await env.DB.prepare("SELECT article_id, found_at, entry_title FROM article_sources WHERE source_id = ? ORDER BY article_id").bind(sourceId).all()).results;

describe("a scheduled source check", () => {
  it("queues the feed's entries as first captures spaced per host, and their consumer tracks each with a created change, linked to the source", async () => {
    bed.origin.serve(FEED, answerWith(rss([1, 2, 3].map((n) => ({ link: storyUrl(n), title: `Story ${n}` }))), "application/rss+xml", { ETag: '"v1"' }));
    const id = await insertSource({ url: FEED, nextCheckAt: T, trackDays: 7 });
    await checkSourceAt(id, T);

    expect(discovers()).toEqual([1, 2, 3].map((n) => ({
      type: "discover",
      sourceId: id,
      url: storyUrl(n),
      host: "fixtures.redline.test",
      entryTitle: `Story ${n}`,
      foundAt: T,
      // MIN_HOST_INTERVAL_MS is 0 in the tests: the host's interval is its floor of 1 ms, rounded up to a second.
      notBefore: T + (n - 1) * SECOND,
      delaySeconds: n - 1,
    })));
    expect(await sourceRow(id)).toMatchObject({
      status: "active",
      last_checked_at: new Date(T).toISOString(),
      next_check_at: T + 15 * MINUTE,
      etag: '"v1"',
      entries_seen: 3,
      title: "Test feed",
      consecutive_failures: 0,
      last_error: null,
      lease_until: null,
      articles_tracked: 0,
    });
    expect((await entryRows(id)).map(({ url, state, retry_at }) => [url, state, retry_at])).toEqual(
      [1, 2, 3].map((n) => [storyUrl(n), "queued", T + (n - 1) * SECOND + QUEUED_RESEND_AFTER_MS]),
    );

    await drain(bed.queue);
    const ids = await Promise.all([1, 2, 3].map((n) => articleIdFor(storyUrl(n))));
    for (const articleId of ids) {
      const article = await sourcesOf(articleId);
      expect(article).toMatchObject({ versionCount: 1, tracking: true });
      const changes = await env.DB.prepare("SELECT kinds FROM changes WHERE article_id = ?").bind(articleId).all<{ kinds: string }>();
      expect(changes.results).toEqual([{ kinds: '["created"]' }]);
    }
    expect(await linkRows(id)).toEqual(
      [1, 2, 3]
        .map((n, i) => ({ article_id: ids[i], found_at: new Date(T).toISOString(), entry_title: `Story ${n}` }))
        .sort((a, b) => a.article_id!.localeCompare(b.article_id!)),
    );
    expect((await entryRows(id)).map((row) => row.state)).toEqual(["tracked", "tracked", "tracked"]);
    expect(await sourceRow(id)).toMatchObject({ articles_tracked: 3 });
    // trackDays: 7 days after discovery.
    const retireAt = await env.DB.prepare("SELECT retire_at FROM articles WHERE id = ?").bind(ids[0]).first<number>("retire_at");
    expect(retireAt).toBe(T + 7 * DAY);
    expect((await api("GET", "/api/status")).json.checks.completedLast24h).toEqual({ "discover-created": 3, "source-read": 1 });
  });

  it("asks again with the feed's validators and, on 304, changes nothing but the schedule", async () => {
    const conditional: Array<string | null> = [];
    bed.origin.serve(FEED, (request) => {
      conditional.push(request.headers.get("If-None-Match"));
      return request.headers.get("If-None-Match") === '"v1"'
        ? new Response(null, { status: 304 })
        : new Response(rss([{ link: storyUrl(1) }]), { headers: { "Content-Type": "application/rss+xml", ETag: '"v1"' } });
    });
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    await checkSourceAt(id, T);
    await checkSourceAt(id, T + 15 * MINUTE);
    expect(conditional).toEqual([null, '"v1"']);
    expect(discovers()).toHaveLength(1);
    expect(await sourceRow(id)).toMatchObject({ status: "active", next_check_at: T + 30 * MINUTE, etag: '"v1"', entries_seen: 1, revision: 3 });
  });

  it("queues only the entries it has not stored before, newest first", async () => {
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1) }]), "application/rss+xml"));
    await checkSourceAt(id, T);
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(3) }, { link: storyUrl(2) }, { link: storyUrl(1) }]), "application/rss+xml"));
    await checkSourceAt(id, T + 15 * MINUTE);
    expect(discovers().map((m) => m.url)).toEqual([storyUrl(1), storyUrl(3), storyUrl(2)]);
  });

  it("links an article that exists already (pasted, or found by another source) without capturing it again, so two sources track it once", async () => {
    const pasted = (await track(storyUrl(1))).json.id as string;
    const other = "https://feeds.redline.test/other.xml";
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1), title: "Pasted" }, { link: storyUrl(2), title: "New" }]), "application/rss+xml"));
    bed.origin.serve(other, answerWith(rss([{ link: storyUrl(2), title: "Also new" }]), "application/rss+xml"));
    const first = await insertSource({ url: FEED, nextCheckAt: T });
    const second = await insertSource({ url: other, nextCheckAt: T });
    await checkSourceAt(first, T);
    await checkSourceAt(second, T);
    // The pasted article is linked by the check itself; story 2 is queued by both sources.
    expect(await linkRows(first)).toEqual([{ article_id: pasted, found_at: new Date(T).toISOString(), entry_title: "Pasted" }]);
    expect(discovers().map((m) => [m.sourceId, m.url])).toEqual([
      [first, storyUrl(2)],
      [second, storyUrl(2)],
    ]);
    // One at a time, so the second source's message finds the article the first one's created.
    await drain(bed.queue, 1);
    const story2 = await articleIdFor(storyUrl(2));
    expect((await api("GET", `/api/articles/${story2}/versions`)).json.items).toHaveLength(1);
    expect((await linkRows(second)).map((row) => row.article_id)).toEqual([story2]);
    expect((await linkRows(first)).map((row) => row.article_id).sort()).toEqual([pasted, story2].sort());
    expect((await sourceRow(first)).articles_tracked).toBe(2);
    expect((await sourceRow(second)).articles_tracked).toBe(1);
    expect((await api("GET", "/api/status")).json.checks.completedLast24h).toMatchObject({ "discover-created": 1, "discover-linked": 1 });
  });

  it("re-sends an entry whose discover message was lost on the first tick after its retry time, although its source answers 304, and the consumer captures it", async () => {
    const conditional: Array<string | null> = [];
    bed.origin.serve(FEED, (request) => {
      conditional.push(request.headers.get("If-None-Match"));
      return request.headers.get("If-None-Match") === '"v1"'
        ? new Response(null, { status: 304 })
        : new Response(rss([{ link: storyUrl(1), title: "Story 1" }]), { headers: { "Content-Type": "application/rss+xml", ETag: '"v1"' } });
    });
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    await checkSourceAt(id, T);
    expect(discovers().map((m) => m.url)).toEqual([storyUrl(1)]);
    bed.queue.pending = []; // lost: never delivered
    expect(await entryRows(id)).toEqual([{ url: storyUrl(1), state: "queued", retry_at: T + QUEUED_RESEND_AFTER_MS, last_error: null }]);

    // Before its retry time a tick sends the (due) source, whose check answers 304, and not the entry.
    await tick(T + QUEUED_RESEND_AFTER_MS - MINUTE);
    expect(bed.queue.pending.map((m) => m.body.type)).toEqual(["source"]);
    await drain(bed.queue);
    expect(conditional).toEqual([null, '"v1"']);

    await tick(T + QUEUED_RESEND_AFTER_MS);
    expect(discovers()).toEqual([
      { type: "discover", sourceId: id, url: storyUrl(1), host: "fixtures.redline.test", entryTitle: "Story 1", foundAt: T, notBefore: T + QUEUED_RESEND_AFTER_MS, delaySeconds: 0 },
    ]);
    expect(bed.queue.pending).toHaveLength(1);
    expect((await api("GET", "/api/status")).json.lastDispatch).toMatchObject({ sources: { due: 0 }, entries: { due: 1, resent: 1 } });
    await drain(bed.queue);
    const articleId = await articleIdFor(storyUrl(1));
    expect(await sourcesOf(articleId)).toMatchObject({ versionCount: 1, tracking: true, sources: [{ id, url: FEED, foundAt: new Date(T).toISOString(), entryTitle: "Story 1" }] });
    expect(await entryRows(id)).toEqual([{ url: storyUrl(1), state: "tracked", retry_at: null, last_error: null }]);
    expect(await sourceRow(id)).toMatchObject({ articles_tracked: 1 });
    // The feed was asked twice (the second time answered 304); nothing else re-sent the entry.
    expect(fetched()).toEqual([FEED, FEED, storyUrl(1)]);
  });

  it("marks an entry whose first capture fails as failed with the reason; a check reports it and never sends it, and the first tick after its retry time does, and it is tracked", async () => {
    const page = await (await fetch(`${env.REPLAY_ORIGIN}/fetch?url=${encodeURIComponent(storyUrl(1))}`)).text();
    let broken = true;
    bed.origin.serve(storyUrl(1), () =>
      broken ? new Response("gone", { status: 404 }) : new Response(page, { headers: { "Content-Type": "text/html; charset=utf-8" } }),
    );
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1), title: "Story 1" }]), "application/rss+xml"));
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    await checkSourceAt(id, T);
    await drain(bed.queue);
    const failed = { url: storyUrl(1), state: "failed", retry_at: T + 15 * MINUTE, last_error: `first capture of "${storyUrl(1)}" failed: the page answered HTTP 404` };
    expect(await entryRows(id)).toEqual([failed]);

    // A check that reads the source, before or after the retry time, reports the entry and sends nothing.
    const early = await checkSourceNow(trackerFor(env), id, T + 10 * MINUTE, env);
    expect(early).toMatchObject({ kind: "checked", result: { queued: [], skipped: [{ url: storyUrl(1), reason: "capture-failed" }] } });
    await checkSourceAt(id, T + 16 * MINUTE);
    expect(bed.queue.pending).toEqual([]);
    expect(await entryRows(id)).toEqual([failed]);

    broken = false;
    await tick(T + 20 * MINUTE);
    expect(discovers().map((m) => [m.url, m.foundAt, m.notBefore])).toEqual([[storyUrl(1), T, T + 20 * MINUTE]]);
    expect(await entryRows(id)).toEqual([{ url: storyUrl(1), state: "queued", retry_at: T + 20 * MINUTE + QUEUED_RESEND_AFTER_MS, last_error: null }]);
    await drain(bed.queue);
    expect(await entryRows(id)).toEqual([{ url: storyUrl(1), state: "tracked", retry_at: null, last_error: null }]);
    expect(await sourcesOf(await articleIdFor(storyUrl(1)))).toMatchObject({ versionCount: 1, sources: [{ id, foundAt: new Date(T).toISOString() }] });
    expect((await api("GET", "/api/status")).json.checks.completedLast24h).toMatchObject({ "discover-failed": 1, "discover-created": 1 });
  });

  it("leaves committed entries queued when the send fails, and the first tick after their resend time sends them", async () => {
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1) }]), "application/rss+xml"));
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    bed.queue.spies[0]!.mockRejectedValueOnce(new Error("queue unavailable"));
    await checkSourceAt(id, T);
    expect(bed.queue.pending).toEqual([]);
    expect((await entryRows(id)).map((row) => row.state)).toEqual(["queued"]);

    // Its source failing by then, backed off for a day, does not hold the entry back.
    await env.DB.prepare("UPDATE sources SET status = 'failing', consecutive_failures = 3, next_check_at = ? WHERE id = ?").bind(T + DAY, id).run();
    await tick(T + QUEUED_RESEND_AFTER_MS);
    expect(bed.queue.pending.map((m) => [m.body.type, subjectOf(m)])).toEqual([["discover", storyUrl(1)]]);
    await drain(bed.queue);
    expect((await entryRows(id)).map((row) => row.state)).toEqual(["tracked"]);
    expect(await sourceRow(id)).toMatchObject({ status: "failing", articles_tracked: 1 });
  });

  it("captures an entry once however many of its messages arrive", async () => {
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1) }]), "application/rss+xml"));
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    await checkSourceAt(id, T);
    const [message] = discovers();
    const { delaySeconds: _delay, ...body } = message!;
    bed.queue.pending = [];
    await consume([{ body }, { body }]);
    expect((await api("GET", `/api/articles/${await articleIdFor(storyUrl(1))}/versions`)).json.items).toHaveLength(1);
    expect((await sourceRow(id)).articles_tracked).toBe(1);
  });
});

describe("which source messages check", () => {
  it("skips a source that is not due, paused or deleted, and checks one a hub notified even when not due", async () => {
    bed.origin.serve(FEED, answerWith(rss([{ link: storyUrl(1) }]), "application/rss+xml"));
    const id = await insertSource({ url: FEED, nextCheckAt: T + HOUR });
    await checkSourceAt(id, T);
    expect(fetched()).toEqual([]);
    await checkSourceAt(id, T, "websub");
    expect(fetched()).toEqual([FEED]);

    await env.DB.prepare("UPDATE sources SET status = 'paused' WHERE id = ?").bind(id).run();
    await checkSourceAt(id, T + 2 * HOUR, "websub");
    await env.DB.prepare("DELETE FROM sources WHERE id = ?").bind(id).run();
    await checkSourceAt(id, T + 2 * HOUR);
    expect(fetched()).toEqual([FEED]);
    expect((await api("GET", "/api/status")).json.checks.completedLast24h).toEqual({ "source-read": 1, skipped: 3 });
  });

  it("sends a source message again with the wait when its host is not free, fetching nothing", async () => {
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    await env.DB.prepare("INSERT INTO hosts (host, next_allowed_at) VALUES ('feeds.redline.test', ?)").bind(T + 8 * SECOND).run();
    await checkSourceAt(id, T);
    expect(fetched()).toEqual([]);
    expect(bed.queue.resent).toEqual([{ body: { type: "source", sourceId: id, host: "feeds.redline.test", notBefore: T + 8 * SECOND }, delaySeconds: 8 }]);
  });
});

describe("dead letters", () => {
  it("records a dead-lettered source or discover message by its type and what it names", async () => {
    const body: DiscoverMessage = { type: "discover", sourceId: "00000000000000aa", url: storyUrl(1), host: "fixtures.redline.test", entryTitle: null, foundAt: T, notBefore: T };
    await consume([{ body, attempts: 6 }], QUEUES.checksDeadLetter);
    expect((await api("GET", "/api/status")).json.checks).toMatchObject({
      deadLettered: 1,
      lastDeadLetter: { type: "discover", sourceId: "00000000000000aa", url: storyUrl(1), attempts: 6, at: expect.any(String) },
    });
  });
});

describe("checkSourceNow (POST /api/sources/:id/check)", () => {
  it("answers what the check found: entries listed, articles linked, first captures queued with their times, and each skipped entry with its reason", async () => {
    const pasted = (await track(storyUrl(9))).json.id as string;
    bed.origin.serve(
      FEED,
      answerWith(
        rss([
          { link: storyUrl(1), title: "방위비 분담금 협상" },
          { link: storyUrl(2), title: "Weather" },
          { link: storyUrl(9), title: "방위비 again" },
          { link: "ftp://fixtures.redline.test/x", title: "방위비" },
        ]),
        "application/rss+xml",
      ),
    );
    const id = await insertSource({ url: FEED, nextCheckAt: T + DAY, status: "paused", filter: { keywords: ["방위비"] } });
    const answer = await checkSourceNow(trackerFor(env), id, T, env);
    expect(answer).toEqual({
      kind: "checked",
      result: {
        outcome: "read",
        found: 4,
        linked: [pasted],
        queued: [{ url: storyUrl(1), articleId: await articleIdFor(storyUrl(1)), notBefore: T }],
        skipped: [
          { url: storyUrl(2), reason: "no-keyword", detail: 'neither the title nor the summary contains any of the keywords "방위비"' },
          { url: "ftp://fixtures.redline.test/x", reason: "refused-url", detail: "only http and https URLs can be tracked, not ftp:" },
        ],
        error: null,
      },
    });
    // An administrator may check a paused source; it stays paused.
    expect(await sourceRow(id)).toMatchObject({ status: "paused", entries_seen: 4, articles_tracked: 1 });
  });

  it("answers host-busy with the host's next allowed time, fetching nothing, and not-found for an unknown source", async () => {
    const id = await insertSource({ url: FEED, nextCheckAt: T });
    await env.DB.prepare("INSERT INTO hosts (host, next_allowed_at) VALUES ('feeds.redline.test', ?)").bind(T + 5 * SECOND).run();
    expect(await checkSourceNow(trackerFor(env), id, T, env)).toEqual({ kind: "host-busy", host: "feeds.redline.test", nextAllowedAt: T + 5 * SECOND });
    expect(await checkSourceNow(trackerFor(env), "0000000000000000", T, env)).toEqual({ kind: "not-found" });
    expect(fetched()).toEqual([]);
  });
});
