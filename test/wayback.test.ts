/**
 * The wayback channel end to end against the loopback Save Page Now 2 fake (test/fakes/wayback.mjs,
 * the Worker's WAYBACK_ORIGIN): a check records the Yonhap article's new version, the consumer
 * fans it out to the wayback subscription, submits the capture and polls it through re-queued
 * `poll` messages, and the memento URL is stored with the version, on its page, in its JSON and
 * in the TimeMap. The queue is left out: its `send` and `sendBatch` are spied on, and each test
 * hands the messages to the consumer itself, so nothing is delivered behind a test's back and no
 * test waits for a delay.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../src/env";
import type { WebhookMessage } from "../src/queues/messages";
import { WAYBACK_KEYS } from "./fakes/wayback.mjs";
import { runConsumer, useChannelBed } from "./channel-helpers";
import { api, check, getRaw, instrumented, page, SEED_URLS, serveTimelineEntry } from "./helpers";
import { parseLinkHeader, withRel } from "./link-header";

const ARTICLE = SEED_URLS.yonhap;
const FAKE = env.WAYBACK_ORIGIN!;

interface FakeRequest {
  method: string;
  path: string;
  authorization: string | null;
  accept: string | null;
  contentType: string | null;
  form: Record<string, string> | null;
}

interface FakeState {
  requests: FakeRequest[];
  jobs: Array<{ id: string; url: string; timestamp: string; polled: number; reused: boolean }>;
}

async function fake(command?: Record<string, unknown>): Promise<FakeState> {
  const response = await fetch(`${FAKE}/__wayback`, command ? { method: "POST", body: JSON.stringify(command) } : {});
  return (await response.json()) as FakeState;
}

const submissions = async () => (await fake()).requests.filter((request) => request.method === "POST" && request.path === "/save");

/** Every message the worker sent to the channels queue, with its delay, not yet handed to the consumer; the Yonhap article at version 1. */
const bed = useChannelBed(
  () => fake({ reset: true }),
  (body, delaySeconds) => ({ body, delaySeconds: delaySeconds ?? 0 }),
);
const queued = bed.queued;
let articleId: string;
let subscriptionId: string;
/** What the check of version 2 sent: the change to fan out. */
let announced: Array<{ body: WebhookMessage; delaySeconds: number }>;

/** Runs the consumer over one message and answers what it did with it (ack or the retry's delay). */
async function consume(body: WebhookMessage, attempts = 1, target: Env = env) {
  const result = await runConsumer([{ id: "m", attempts, body }], target);
  return { acked: result.explicitAcks.includes("m"), retryDelay: result.retryDelays[0] ?? null };
}

/** The one message queued since the last call, taken off the list. */
function nextQueued(): { body: WebhookMessage; delaySeconds: number } {
  expect(queued).toHaveLength(1);
  return queued.shift()!;
}

const delivery = (seq: number): WebhookMessage => ({ type: "delivery", subscriptionId, articleId: articleId, seq });

async function captureRow(n: number) {
  return env.DB.prepare("SELECT status, job_id, memento_url, memento_at_ms, error FROM wayback_captures WHERE article_id = ? AND n = ?").bind(articleId, n).first();
}

/** When the claims of the two claim-age tests were made (any fixed instant). */
const CLAIM_AT_MS = Date.parse("2026-05-01T12:00:00.000Z");

/**
 * A claim of version 2 left by another delivery at `claimedAtMs`, with the Worker's clock (Date only)
 * pinned at `nowMs`: how old the claim is does not depend on how fast the machine runs the test.
 */
async function claimLeftAt(claimedAtMs: number, nowMs: number): Promise<void> {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(nowMs);
  await env.DB.prepare("INSERT INTO wayback_captures (article_id, n, subscription_id, status, claimed_at_ms, updated_at_ms) VALUES (?, 2, ?, 'submitting', ?, ?)")
    .bind(articleId, subscriptionId, claimedAtMs, claimedAtMs)
    .run();
}

beforeEach(async () => {
  articleId = bed.articleId;
  const created = await api("POST", "/api/subscriptions", { body: { type: "wayback", articleId: articleId, ...WAYBACK_KEYS } });
  expect(created.status).toBe(201);
  subscriptionId = created.json.id;
  queued.length = 0;
  // Version 2 (Yonhap's stealth edit), recorded by a check: change 2.
  await serveTimelineEntry(ARTICLE, 2);
  expect((await check(articleId)).json.change).toMatchObject({ seq: 2, from: 1, to: 2 });
  announced = queued.splice(0);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the wayback channel", () => {
  it("captures a new version: submitted once with the keys, polled through pending to success, the memento stored, on the version page and in the TimeMap once", async () => {
    // The check announces the change; the fan-out makes one delivery for the wayback subscription.
    expect(announced).toEqual([{ body: { type: "change", articleId, seq: 2 }, delaySeconds: 0 }]);
    expect(await consume(announced[0]!.body)).toEqual({ acked: true, retryDelay: null });
    expect(nextQueued().body).toEqual(delivery(2));

    // The delivery checks the account's sessions, submits, stores the job id and queues a poll 10 s later.
    expect(await consume(delivery(2))).toEqual({ acked: true, retryDelay: null });
    const { requests, jobs } = await fake();
    expect(requests.map(({ method, path }) => `${method} ${path}`)).toEqual(["GET /save/status/user", "POST /save"]);
    for (const request of requests) {
      expect(request.authorization).toBe(`LOW ${WAYBACK_KEYS.accessKey}:${WAYBACK_KEYS.secretKey}`);
      expect(request.accept).toBe("application/json");
    }
    expect(requests[1]!.contentType).toBe("application/x-www-form-urlencoded");
    expect(requests[1]!.form).toEqual({ url: ARTICLE, skip_first_archive: "1", if_not_archived_within: "1" });
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(await captureRow(2)).toEqual({ status: "pending", job_id: job!.id, memento_url: null, memento_at_ms: null, error: null });
    expect(await page(`/articles/${articleId}/versions/2`)).toContain("A Wayback Machine capture of this version has been requested and has not finished yet.");
    const firstPoll = nextQueued();
    expect(firstPoll).toEqual({ body: { type: "poll", subscriptionId, articleId, seq: 2, state: { jobId: job!.id, polls: 0 } }, delaySeconds: 10 });

    // The fake answers pending once: the poll is queued again, later.
    expect(await consume(firstPoll.body)).toEqual({ acked: true, retryDelay: null });
    const secondPoll = nextQueued();
    expect(secondPoll).toEqual({ body: { type: "poll", subscriptionId, articleId, seq: 2, state: { jobId: job!.id, polls: 1 } }, delaySeconds: 15 });
    expect(await consume(secondPoll.body)).toEqual({ acked: true, retryDelay: null });
    expect(queued).toEqual([]);
    expect((await submissions()).length).toBe(1);

    const mementoUrl = `${FAKE}/web/${job!.timestamp}/${ARTICLE}`;
    const mementoAt = new Date(Date.parse(job!.timestamp.replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/, "$1-$2-$3T$4:$5:$6Z"))).toISOString();
    expect(await captureRow(2)).toEqual({ status: "success", job_id: job!.id, memento_url: mementoUrl, memento_at_ms: Date.parse(mementoAt), error: null });

    const version = (await api("GET", `/api/articles/${articleId}/versions/2`)).json;
    expect(version.wayback).toEqual({ status: "success", mementoUrl, mementoAt, jobId: job!.id, requestedAt: expect.any(String), error: null });
    // Version 1 had no capture requested: its JSON is the record alone.
    expect((await api("GET", `/api/articles/${articleId}/versions/1`)).json).not.toHaveProperty("wayback");

    const html = await page(`/articles/${articleId}/versions/2`);
    expect(html).toContain(`Also archived at the Wayback Machine: <a href="${mementoUrl}">${mementoUrl}</a> (captured <time datetime="${mementoAt}">`);

    const timemap = await getRaw(`/timemap/link/${ARTICLE}`);
    // Decoded by hand: workerd warns when .text() reads a type it does not know as text.
    const links = parseLinkHeader(new TextDecoder().decode(await timemap.arrayBuffer()));
    const alternates = links.filter((link) => link.uri === mementoUrl);
    expect(alternates.map(({ rels, params }) => ({ rels, datetime: params.datetime }))).toEqual([{ rels: ["memento"], datetime: new Date(mementoAt).toUTCString() }]);
    // Every other memento is Redline's own (versions 1 and 2 fall in one second here: one memento), and they keep first and last.
    expect(withRel(links, "memento").filter((link) => link.uri !== mementoUrl).every((link) => link.uri.startsWith("http://redline.test/memento/"))).toBe(true);
    expect(withRel(links, "first")[0]!.uri).toMatch(/^http:\/\/redline\.test\/memento\//);
    expect(withRel(links, "last")[0]!.uri).toMatch(/^http:\/\/redline\.test\/memento\//);
    const json = (await api("GET", `/timemap/json/${ARTICLE}`)).json;
    expect(json.mementos.list.filter((item: { uri: string }) => item.uri === mementoUrl)).toEqual([
      { datetime: mementoAt, uri: mementoUrl, version: 2, archive: new URL(FAKE).host },
    ]);
  });

  it("never submits twice for one delivery: a redelivered message polls the job whose id was stored", async () => {
    expect(await consume(delivery(2))).toEqual({ acked: true, retryDelay: null });
    const [job] = (await fake()).jobs;
    queued.length = 0;
    // The queue hands the same delivery over again (as after a crash before its ack).
    expect(await consume(delivery(2), 2)).toEqual({ acked: true, retryDelay: null });
    expect(await submissions()).toHaveLength(1);
    expect(nextQueued().body).toEqual({ type: "poll", subscriptionId, articleId, seq: 2, state: { jobId: job!.id, polls: 1 } });
    expect((await fake()).jobs).toEqual([{ ...job, polled: 1 }]);
  });

  it("honours SPN2's 429 and its Retry-After, then submits on the retry", async () => {
    await fake({ saveAnswers: [{ status: 429, retryAfter: 37, json: { message: "Too many captures per minute." } }] });
    expect(await consume(delivery(2))).toEqual({ acked: false, retryDelay: 37 });
    expect(await captureRow(2)).toMatchObject({ status: "retry", job_id: null, error: "SPN2 answered 429 to the capture request: over the account's captures per minute" });
    expect(queued).toEqual([]);
    expect(await page(`/articles/${articleId}/versions/2`)).toContain(
      "The Wayback Machine has not captured this version yet: SPN2 answered 429 to the capture request: over the account&#39;s captures per minute.",
    );

    expect(await consume(delivery(2), 2)).toEqual({ acked: true, retryDelay: null });
    expect(await submissions()).toHaveLength(2);
    expect((await fake()).jobs).toHaveLength(1);
    expect(await captureRow(2)).toMatchObject({ status: "pending", job_id: (await fake()).jobs[0]!.id });
  });

  it("waits without submitting while the account has no free capture session", async () => {
    await fake({ userStatus: { available: 0, processing: 12 } });
    expect(await consume(delivery(2))).toEqual({ acked: false, retryDelay: 30 });
    expect(await submissions()).toEqual([]);
    expect(await captureRow(2)).toBeNull();
  });

  it("records a failed job: error:blocked-url fails the delivery for good, counted on the subscription and said on the version page", async () => {
    await fake({ job: { pendingPolls: 0, error: { status_ext: "error:blocked-url", message: "We use a URL block list." } } });
    expect(await consume(delivery(2))).toEqual({ acked: true, retryDelay: null });
    expect(await consume(nextQueued().body)).toEqual({ acked: true, retryDelay: null });
    expect(queued).toEqual([]);
    const [job] = (await fake()).jobs;
    const error = `job ${job!.id}: error:blocked-url: We use a URL block list.`;
    expect(await captureRow(2)).toEqual({ status: "failed", job_id: job!.id, memento_url: null, memento_at_ms: null, error });
    expect((await api("GET", `/api/subscriptions/${subscriptionId}`)).json.deadLettered).toBe(1);
    expect((await api("GET", `/api/articles/${articleId}/versions/2`)).json.wayback).toMatchObject({ status: "failed", mementoUrl: null, error });
    expect(await page(`/articles/${articleId}/versions/2`)).toContain(`The Wayback Machine did not capture this version: ${error}.`);
    // A later delivery for the same version does not submit again.
    expect(await consume(delivery(2), 2)).toEqual({ acked: true, retryDelay: null });
    expect(await submissions()).toHaveLength(1);
  });

  it("submits a passing job error again on the poll's retry, as a new job", async () => {
    await fake({ job: { pendingPolls: 0, error: { status_ext: "error:no-browsers-available", message: "No browser." } } });
    expect(await consume(delivery(2))).toEqual({ acked: true, retryDelay: null });
    const poll = nextQueued().body;
    expect(await consume(poll)).toEqual({ acked: false, retryDelay: 60 });
    expect(await captureRow(2)).toMatchObject({ status: "retry" });

    await fake({ job: { pendingPolls: 0, error: null } });
    expect(await consume(poll, 2)).toEqual({ acked: true, retryDelay: null });
    const jobs = (await fake()).jobs;
    expect(jobs).toHaveLength(2);
    expect(await captureRow(2)).toMatchObject({ status: "pending", job_id: jobs[1]!.id });
  });

  it("waits for another delivery's submission in flight instead of submitting beside it", async () => {
    await claimLeftAt(CLAIM_AT_MS, CLAIM_AT_MS);
    expect(await consume(delivery(2))).toEqual({ acked: true, retryDelay: null });
    expect(nextQueued()).toEqual({ body: { type: "poll", subscriptionId, articleId, seq: 2, state: { polls: 1 } }, delaySeconds: 10 });
    expect(await submissions()).toEqual([]);
  });

  it("after a crash that lost a submitted job's id, submits again asking for the capture made since, which SPN2 answers instead of capturing twice", async () => {
    // The lost job: SPN2 accepted and finished it, but its id never reached D1.
    const headers = { Authorization: `LOW ${WAYBACK_KEYS.accessKey}:${WAYBACK_KEYS.secretKey}`, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" };
    const lost = (await (await fetch(`${FAKE}/save`, { method: "POST", headers, body: new URLSearchParams({ url: ARTICLE, if_not_archived_within: "1" }) })).json()) as { job_id: string };
    await fetch(`${FAKE}/save/status/${lost.job_id}`, { headers });
    await fetch(`${FAKE}/save/status/${lost.job_id}`, { headers });
    await claimLeftAt(CLAIM_AT_MS, CLAIM_AT_MS + 3 * 60_000);

    expect(await consume(delivery(2))).toEqual({ acked: true, retryDelay: null });
    const resubmitted = (await submissions()).at(-1)!;
    expect(Number(resubmitted.form!.if_not_archived_within)).toBeGreaterThanOrEqual(180);
    expect(await consume(nextQueued().body)).toEqual({ acked: true, retryDelay: null });
    const [lostJob, answered] = (await fake()).jobs;
    expect(answered).toMatchObject({ reused: true, timestamp: lostJob!.timestamp });
    expect(await captureRow(2)).toMatchObject({ status: "success", memento_url: `${FAKE}/web/${lostJob!.timestamp}/${ARTICLE}` });
  });

  it("a test send captures the newest version the subscription wants, filed under the subscription", async () => {
    const sent = await api("POST", `/api/subscriptions/${subscriptionId}/test`);
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({ sent: `${articleId}-2`, result: { outcome: "pending", afterSeconds: 10 } });
    const row = await env.DB.prepare("SELECT subscription_id, status FROM wayback_captures WHERE article_id = ? AND n = 2").bind(articleId).first();
    expect(row).toEqual({ subscription_id: subscriptionId, status: "pending" });
  });

  it("a test send with no version to capture checks the keys against the account's sessions and captures nothing", async () => {
    const titleOnly = (await api("POST", "/api/subscriptions", { body: { type: "wayback", articleId, kinds: ["title"], ...WAYBACK_KEYS } })).json.id;
    const sent = await api("POST", `/api/subscriptions/${titleOnly}/test`);
    expect(sent.status).toBe(200);
    expect(sent.json).toEqual({
      sent: "sample",
      result: { outcome: "delivered", receipt: { captured: false, reason: "this change stores no new version; the keys were checked instead", available: 12, processing: 0 } },
    });
    expect((await fake()).requests.map(({ method, path }) => `${method} ${path}`)).toEqual(["GET /save/status/user"]);

    const wrongKeys = (await api("POST", "/api/subscriptions", { body: { type: "wayback", articleId, kinds: ["title"], accessKey: "wrong", secretKey: "keys" } })).json.id;
    const refused = await api("POST", `/api/subscriptions/${wrongKeys}/test`);
    expect(refused.status).toBe(502);
    expect(refused.json).toMatchObject({ outcome: "failed", sent: "sample", detail: expect.stringMatching(/^The test notice was not delivered: SPN2 refused the keys \(401 to the user status request\)/) });
  });

  it("costs 3 statements on wayback_captures and 2 SPN2 requests to submit, 1 and 1 for a pending poll, 2 and 1 for the poll that finishes", async () => {
    const ownStatements = (trips: string[][]) => trips.flat().filter((label) => label.endsWith(" wayback_captures"));
    const requests = async () => (await fake()).requests.length;

    const submit = instrumented();
    expect(await consume(delivery(2), 1, submit.env)).toEqual({ acked: true, retryDelay: null });
    expect(ownStatements(submit.d1.trips)).toEqual(["SELECT wayback_captures", "INSERT wayback_captures", "UPDATE wayback_captures"]);
    expect(await requests()).toBe(2);
    expect(submit.messages.sent).toBe(1);

    const pendingPoll = instrumented();
    expect(await consume(nextQueued().body, 1, pendingPoll.env)).toEqual({ acked: true, retryDelay: null });
    expect(ownStatements(pendingPoll.d1.trips)).toEqual(["SELECT wayback_captures"]);
    expect(await requests()).toBe(3);

    const finishingPoll = instrumented();
    expect(await consume(nextQueued().body, 1, finishingPoll.env)).toEqual({ acked: true, retryDelay: null });
    expect(ownStatements(finishingPoll.d1.trips)).toEqual(["SELECT wayback_captures", "UPDATE wayback_captures"]);
    expect(await requests()).toBe(4);
    expect(finishingPoll.messages.sent).toBe(0);
  });
});
