/** The Cron Trigger decides what is due from `scheduledTime`, so these tests simulate days. */
import { env } from "cloudflare:workers";
import { createScheduledController } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../src/index";
import { checkArticle, runScheduledChecks, trackerFor } from "../src/tracking";
import { api, reset, SEED_URLS, serveTimelineEntry, track } from "./helpers";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function runCron(scheduledTime: number) {
  const controller = createScheduledController({ scheduledTime, cron: "*/15 * * * *" });
  await worker.scheduled(controller, env);
  return (await api("GET", "/api/status")).json.lastCronRun;
}

describe("scheduled checks", () => {
  let yonhap: string;
  let standard: string;
  let createdAt: number;

  beforeEach(async () => {
    await reset();
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    yonhap = (await track(SEED_URLS.yonhap)).json.id;
    standard = (await track(SEED_URLS.theStandard)).json.id;
    createdAt = Date.parse((await api("GET", `/api/articles/${yonhap}`)).json.firstSeenAt);
  });

  it("checks nothing before the first interval and everything due after it", async () => {
    const early = await runCron(createdAt + 5 * MINUTE);
    expect(early).toMatchObject({ due: 0, checked: 0, changed: 0, failed: 0 });
    expect(early.startedAt).toBe(new Date(createdAt + 5 * MINUTE).toISOString());

    const due = await runCron(createdAt + 15 * MINUTE);
    expect(due).toMatchObject({ due: 2, checked: 2, changed: 0, failed: 0, deferred: 0 });
    const article = (await api("GET", `/api/articles/${yonhap}`)).json;
    expect(article.lastCheckedAt).toBe(new Date(createdAt + 15 * MINUTE).toISOString());
    expect(article.nextCheckAt).toBe(new Date(createdAt + 30 * MINUTE).toISOString());
  });

  it("records edits found by the cron and slows down as the article ages", async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const run = await runCron(createdAt + 15 * MINUTE);
    expect(run).toMatchObject({ due: 2, checked: 2, changed: 1, failed: 0, deferred: 0 });
    const changed = (await api("GET", `/api/articles/${yonhap}`)).json;
    expect(changed.versionCount).toBe(2);
    expect(changed.lastChangedAt).toBe(new Date(createdAt + 15 * MINUTE).toISOString());

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
    expect(run).toMatchObject({ due: 1, checked: 1 });
    const stopped = (await api("GET", `/api/articles/${standard}`)).json;
    expect(stopped.lastCheckedAt).toBe(stopped.firstSeenAt);
    expect(stopped.nextCheckAt).toBeNull();
  });

  it("caps the checks of one run, most overdue first, and leaves the rest due", async () => {
    // The article the index lists first is checked once more, so it falls due later than the
    // other: a run that took articles in listing order would check the wrong one.
    const [listedFirst, listedSecond] = [yonhap, standard].sort();
    const tracker = trackerFor(env);
    await checkArticle(tracker, (await tracker.store.getHead(listedFirst!))!, createdAt + 30 * MINUTE);
    const lastChecked = async (id: string) => (await api("GET", `/api/articles/${id}`)).json.lastCheckedAt;

    const run = await runScheduledChecks(tracker, createdAt + HOUR, 1);
    expect(run).toMatchObject({ due: 2, checked: 1, deferred: 1 });
    expect(await lastChecked(listedSecond!)).toBe(new Date(createdAt + HOUR).toISOString());
    expect(await lastChecked(listedFirst!)).toBe(new Date(createdAt + 30 * MINUTE).toISOString());

    const next = await runScheduledChecks(tracker, createdAt + HOUR, 1);
    expect(next).toMatchObject({ due: 1, checked: 1, deferred: 0 });
    expect(await lastChecked(listedFirst!)).toBe(new Date(createdAt + HOUR).toISOString());
  });
});
