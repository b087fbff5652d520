/**
 * What ONE source check costs (docs/storage.md, "What each operation costs"), measured as
 * test/check-cost.test.ts measures an article check: for a 100-entry RSS feed of which 5 entries
 * are new, through the checks queue's consumer (`consumeSourceCheck`: the host claim and the
 * source read in one batch, then the check), and what each resulting `discover` message costs
 * (`consumeDiscover`: the entry's host claim, the first capture, the link). Setup runs on the
 * plain bindings; only the measured call runs on the instrumented ones.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { sourceCheckerFor } from "../src/discovery/check-source";
import type { Env } from "../src/env";
import { articleIdFor } from "../src/fetching/url";
import type { DiscoverMessage } from "../src/queues/messages";
import { consumeDiscover, consumeSourceCheck } from "../src/queues/sources";
import { trackerFor } from "../src/tracking";
import { answerWith } from "./ad-hoc-origin";
import { instrumented } from "./helpers";
import { FEED, HOUR, insertSource, rss, storyUrl, T, useSourceCheckBed } from "./source-helpers";


interface Cost {
  kvReads: number;
  kvWrites: number;
  d1Statements: number;
  d1RoundTrips: string[][];
  rowsRead: number;
  rowsWritten: number;
  /** Messages sent to redline-checks (discover messages). */
  checkMessages: number;
  /** Every URL fetched, in order (subrequests; the ad-hoc origin sees them all). */
  fetched: string[];
}

const bed = useSourceCheckBed();

async function measure<T>(work: (counted: Env) => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const probe = instrumented();
  const sentBefore = bed.queue.pending.length;
  const requestedBefore = bed.origin.requested.length;
  const result = await work(probe.env);
  return {
    result,
    cost: {
      ...probe.counts,
      d1RoundTrips: probe.d1.trips,
      rowsRead: probe.d1.rowsRead,
      rowsWritten: probe.d1.rowsWritten,
      checkMessages: bed.queue.pending.length - sentBefore,
      fetched: bed.origin.requested.slice(requestedBefore),
    },
  };
}

/**
 * A source whose feed lists stories 1–100, newest first, of which 6–100 were found by earlier
 * checks and are tracked; both hosts' robots.txt already cached.
 */
async function sourceWithFiveNewEntries(): Promise<string> {
  const id = await insertSource({ url: FEED, nextCheckAt: T });
  bed.origin.serve(FEED, answerWith(rss(Array.from({ length: 100 }, (_, n) => ({ link: storyUrl(n + 1), title: `Story ${n + 1}` }))), "application/rss+xml", { ETag: '"v2"' }));
  const known = await Promise.all(Array.from({ length: 95 }, async (_, n) => ({ url: storyUrl(n + 6), articleId: await articleIdFor(storyUrl(n + 6)) })));
  await env.DB.batch(
    known.flatMap(({ url, articleId }) => [
      env.DB.prepare(
        "INSERT INTO articles (id, url, site, title, first_seen_at, last_changed_at, next_check_at) VALUES (?, ?, 'fixtures.redline.test', 'x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', ?)",
      ).bind(articleId, url, T + HOUR),
      env.DB.prepare("INSERT INTO source_entries (source_id, url, article_id, state, found_at) VALUES (?, ?, ?, 'tracked', ?)").bind(id, url, articleId, T - HOUR),
      env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at) VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z')").bind(articleId, id, FEED),
    ]),
  );
  const politeness = trackerFor(env).politeness!;
  await politeness.robots(FEED, undefined, T);
  await politeness.robots(storyUrl(1), undefined, T);
  return id;
}

it("checks a 100-entry feed with 5 new entries in 3 D1 round trips of 7 statements (307 rows read, 19 written), no KV, one fetch, and 5 discover messages", async () => {
  const id = await sourceWithFiveNewEntries();
  const message = { type: "source" as const, sourceId: id, host: "feeds.redline.test", notBefore: T };
  const { result, cost } = await measure((counted) => consumeSourceCheck(sourceCheckerFor(counted, trackerFor(counted)), message));
  expect(result).toEqual({ kind: "checked", outcome: "source-read" });
  expect(cost).toEqual({
    kvReads: 0,
    kvWrites: 0,
    d1Statements: 7,
    // The lookup of the 100 entries (labelled by its first FROM: the EXISTS on articles) and of their hosts.
    d1RoundTrips: [["INSERT hosts", "SELECT sources"], ["SELECT articles", "SELECT hosts"], ["INSERT source_entries", "INSERT hosts", "UPDATE sources"]],
    rowsRead: 307,
    // Each of the 5 new entries, queued with a retry time, also writes its row of the index `source_entries_due` (14 without it).
    rowsWritten: 19,
    checkMessages: 5,
    fetched: [FEED],
  });
});

it("costs, per discover message, the entry's host claim, the first capture and the link: 9 statements in 3 D1 round trips, 2 KV writes, one fetch", async () => {
  const id = await sourceWithFiveNewEntries();
  await consumeSourceCheck(sourceCheckerFor(env, trackerFor(env)), { type: "source", sourceId: id, host: "feeds.redline.test", notBefore: T });
  const first = bed.queue.pending.shift()!.body as DiscoverMessage;
  const { result, cost } = await measure((counted) => consumeDiscover(sourceCheckerFor(counted, trackerFor(counted)), first));
  expect(result).toEqual({ kind: "checked", outcome: "discover-created" });
  expect(cost).toEqual({
    kvReads: 0,
    kvWrites: 2,
    d1Statements: 9,
    d1RoundTrips: [
      ["INSERT hosts", "SELECT hosts", "SELECT source_entries"],
      ["INSERT versions", "INSERT version_search", "INSERT changes", "INSERT articles"],
      ["INSERT article_sources", "UPDATE source_entries"],
    ],
    rowsRead: 9,
    rowsWritten: 19,
    checkMessages: 0,
    fetched: [storyUrl(1)],
  });
});

it("checks an unchanged feed (304) in 2 D1 round trips of 3 statements, sending nothing", async () => {
  const id = await sourceWithFiveNewEntries();
  await env.DB.prepare("UPDATE sources SET etag = '\"v2\"' WHERE id = ?").bind(id).run();
  bed.origin.serve(FEED, (request) => (request.headers.get("If-None-Match") === '"v2"' ? new Response(null, { status: 304 }) : new Response("unexpected", { status: 500 })));
  const message = { type: "source" as const, sourceId: id, host: "feeds.redline.test", notBefore: T };
  const { result, cost } = await measure((counted) => consumeSourceCheck(sourceCheckerFor(counted, trackerFor(counted)), message));
  expect(result).toEqual({ kind: "checked", outcome: "source-unchanged" });
  expect(cost).toEqual({
    kvReads: 0,
    kvWrites: 0,
    d1Statements: 3,
    d1RoundTrips: [["INSERT hosts", "SELECT sources"], ["UPDATE sources"]],
    rowsRead: 5,
    rowsWritten: 3,
    checkMessages: 0,
    fetched: [FEED],
  });
});
