/**
 * The Cron Trigger dispatches, the queue consumer checks: each test runs a tick as of a time
 * (the schedule is decided from `scheduledTime`, so these tests simulate days) and then drains
 * the captured check messages through the consumer.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dispatchDueChecks, scaleSettings, trackerFor } from "../src/tracking";
import { checkArticle } from "../src/tracking";
import { api, reset, SEED_URLS, serveTimelineEntry, track } from "./helpers";
import { captureChecks, drain, subjectOf, tick, type CapturedChecks } from "./queue-helpers";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let queue: CapturedChecks;

/** A tick as of `scheduledTime`, then every message it sent checked; the tick's record from /api/status. */
async function runCron(scheduledTime: number) {
  await tick(scheduledTime);
  await drain(queue);
  return (await api("GET", "/api/status")).json.lastDispatch;
}

describe("scheduled checks", () => {
  let yonhap: string;
  let standard: string;
  let createdAt: number;

  beforeEach(async () => {
    queue = captureChecks();
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    yonhap = (await track(SEED_URLS.yonhap)).json.id;
    standard = (await track(SEED_URLS.theStandard)).json.id;
    createdAt = Date.parse((await api("GET", `/api/articles/${yonhap}`)).json.firstSeenAt);
  });
  afterEach(() => queue.spies.forEach((spy) => spy.mockRestore()));

  it("checks nothing before the first interval and everything due after it", async () => {
    const early = await runCron(createdAt + 5 * MINUTE);
    expect(early).toMatchObject({ due: 0, dispatched: 0, deferred: 0 });
    expect(early.at).toBe(new Date(createdAt + 5 * MINUTE).toISOString());

    const due = await runCron(createdAt + 15 * MINUTE);
    expect(due).toMatchObject({ due: 2, dispatched: 2, deferred: 0, deferredBy: { lease: 0, politeness: 0, batchCap: 0 }, sendBatches: 1 });
    const article = (await api("GET", `/api/articles/${yonhap}`)).json;
    expect(article.lastCheckedAt).toBe(new Date(createdAt + 15 * MINUTE).toISOString());
    expect(article.nextCheckAt).toBe(new Date(createdAt + 30 * MINUTE).toISOString());
  });

  it("records edits found by the consumer and slows down as the article ages", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const run = await runCron(createdAt + 15 * MINUTE);
    expect(run).toMatchObject({ due: 2, dispatched: 2, deferred: 0 });
    const changed = (await api("GET", `/api/articles/${yonhap}`)).json;
    expect(changed.versionCount).toBe(2);
    expect(changed.lastChangedAt).toBe(new Date(createdAt + 15 * MINUTE).toISOString());
    expect((await api("GET", "/api/status")).json.checks.completedLast24h).toEqual({ "new-version": 1, unchanged: 1 });

    // Two days after the change: checked every 3 hours.
    const later = createdAt + 15 * MINUTE + 2 * DAY;
    await runCron(later);
    expect((await api("GET", `/api/articles/${yonhap}`)).json.nextCheckAt).toBe(new Date(later + 3 * HOUR).toISOString());
    expect((await runCron(later + 2 * HOUR)).due).toBe(0);
    expect((await runCron(later + 3 * HOUR)).due).toBe(2);

    // Forty days after: monthly.
    const muchLater = later + 40 * DAY;
    await runCron(muchLater);
    expect((await api("GET", `/api/articles/${yonhap}`)).json.nextCheckAt).toBe(new Date(muchLater + 30 * DAY).toISOString());
  });

  it("skips articles whose tracking was stopped", async () => {
    await api("DELETE", `/api/articles/${standard}`);
    const run = await runCron(createdAt + HOUR);
    expect(run).toMatchObject({ due: 1, dispatched: 1 });
    const stopped = (await api("GET", `/api/articles/${standard}`)).json;
    expect(stopped.lastCheckedAt).toBe(stopped.firstSeenAt);
    expect(stopped.nextCheckAt).toBeNull();
  });

  it("caps the dispatch of one tick, most overdue first, and leaves the rest due", async () => {
    // The article the index lists first is checked once more, so it falls due later than the
    // other: a tick that took articles in listing order would dispatch the wrong one.
    const [listedFirst, listedSecond] = [yonhap, standard].sort();
    const tracker = trackerFor(env);
    await checkArticle(tracker, (await tracker.store.getHead(listedFirst!))!, createdAt + 30 * MINUTE);
    const lastChecked = async (id: string) => (await api("GET", `/api/articles/${id}`)).json.lastCheckedAt;
    const settings = { ...scaleSettings(env), batch: 1 };

    const run = await dispatchDueChecks(tracker.store, env.CHECKS, createdAt + HOUR, settings);
    expect(run).toMatchObject({ due: 2, dispatched: 1, deferred: 1, deferredBy: { lease: 0, politeness: 0, batchCap: 1 } });
    expect(queue.pending.map(subjectOf)).toEqual([listedSecond]);
    await drain(queue);
    expect(await lastChecked(listedSecond!)).toBe(new Date(createdAt + HOUR).toISOString());
    expect(await lastChecked(listedFirst!)).toBe(new Date(createdAt + 30 * MINUTE).toISOString());

    const next = await dispatchDueChecks(tracker.store, env.CHECKS, createdAt + HOUR, settings);
    expect(next).toMatchObject({ due: 1, dispatched: 1, deferred: 0 });
    await drain(queue);
    expect(await lastChecked(listedFirst!)).toBe(new Date(createdAt + HOUR).toISOString());
  });
});
