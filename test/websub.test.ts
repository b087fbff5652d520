/**
 * WebSub end to end in workerd: subscribing at the loopback fixture hub (test/websub-hub.mjs,
 * which records what it receives), the hub's verification of intent and denial, signed
 * notifications turning into one immediate source check, and the cron's renewals.
 */
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { ensureWebSub, renewWebSubLeases, RENEWALS_PER_TICK } from "../src/discovery/websub-client";
import { NOT_CONFIGURED_ERROR, REQUESTED_LEASE_SECONDS, RETRY_AFTER_FAILURE_MS, renewalTime } from "../src/discovery/websub";
import type { Env } from "../src/env";
import { toHex } from "../src/digest";
import { articleIdFor, refusalReason } from "../src/fetching/url";
import worker from "../src/index";
import type { ChecksQueueMessage } from "../src/queues/messages";
import { adHocOrigin, answerWith } from "./ad-hoc-origin";
import { instrumented, reset } from "./helpers";
import { consume } from "./queue-helpers";
import { insertSource, sourceRow } from "./source-helpers";

declare module "vitest" {
  export interface ProvidedContext {
    websubHub: string;
  }
}

const HUB_ORIGIN = inject("websubHub");
const HUB = `${HUB_ORIGIN}/hub`;
const FEED = "https://en.yna.co.kr/RSS/news.xml";
const PUBLIC_ORIGIN = "https://redline.example";
const NOW = Date.parse("2026-12-01T00:00:00Z");
const DAY = 86_400_000;

interface HubRequest {
  method: string;
  path: string;
  contentType: string | null;
  body: string;
  form: Record<string, string> | null;
}

async function hub(command?: { reset: true } | { answer: { status: number; body?: string; location?: string } }): Promise<HubRequest[]> {
  const response = await fetch(`${HUB_ORIGIN}/__hub`, command ? { method: "POST", body: JSON.stringify(command) } : {});
  return ((await response.json()) as { requests: HubRequest[] }).requests;
}

/** The Worker's bindings with a public origin and a checks queue whose sends are recorded, not delivered. */
function configured(overrides: Partial<Env> = {}): { target: Env; sent: ChecksQueueMessage[] } {
  const sent: ChecksQueueMessage[] = [];
  const queue = {
    send: vi.fn(async (body: ChecksQueueMessage) => void sent.push(body)),
    sendBatch: vi.fn(async (messages: Iterable<MessageSendRequest<ChecksQueueMessage>>) => void sent.push(...[...messages].map((m) => m.body))),
  };
  return { target: { ...env, PUBLIC_ORIGIN, CHECKS: queue as unknown as Queue<ChecksQueueMessage>, ...overrides }, sent };
}

/** A source row as POST /api/sources stores one, for the columns WebSub reads. */
async function addSource(url = FEED, status = "active"): Promise<{ id: string; url: string }> {
  const id = await articleIdFor(url);
  await env.DB.prepare("INSERT INTO sources (id, url, site, type, status, created_at, next_check_at) VALUES (?, ?, ?, 'rss', ?, ?, ?)")
    .bind(id, url, new URL(url).hostname, status, new Date(NOW).toISOString(), NOW + DAY)
    .run();
  return { id, url };
}

interface WebSubColumns {
  websub_hub: string | null;
  websub_topic: string | null;
  websub_callback: string | null;
  websub_secret: string | null;
  websub_state: string | null;
  websub_lease_until: number | null;
  websub_renew_at: number | null;
  websub_error: string | null;
  websub_ignored: number;
}

async function columns(id: string): Promise<WebSubColumns> {
  const row = await env.DB.prepare(
    "SELECT websub_hub, websub_topic, websub_callback, websub_secret, websub_state, websub_lease_until, websub_renew_at, websub_error, websub_ignored FROM sources WHERE id = ?",
  )
    .bind(id)
    .first<WebSubColumns>();
  return row!;
}

async function call(target: Env, method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
  return worker.fetch(new Request(`${PUBLIC_ORIGIN}${path}`, { method, ...init }), target, createExecutionContext());
}

const verification = (id: string, fields: Record<string, string>) => `/websub/${id}?${new URLSearchParams(fields)}`;

async function tick(target: Env, scheduledTime: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "*/15 * * * *" }), target);
}

async function hmac(hash: string, secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body))));
}

/** A source subscribed at the fixture hub and verified by it, with a lease of `leaseSeconds`. */
async function verifiedSource(target: Env, leaseSeconds = REQUESTED_LEASE_SECONDS) {
  const source = await addSource();
  await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
  const response = await call(target, "GET", verification(source.id, { "hub.mode": "subscribe", "hub.topic": FEED, "hub.challenge": "ok", "hub.lease_seconds": String(leaseSeconds) }));
  expect(response.status).toBe(200);
  await hub({ reset: true });
  return { ...source, secret: (await columns(source.id)).websub_secret! };
}

beforeEach(async () => {
  await reset();
  await hub({ reset: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("subscribing", () => {
  it("sends the hub a feed advertises exactly one WebSub subscription request, and keeps its secret", async () => {
    const { target } = configured();
    const source = await addSource();
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
    const requests = await hub();
    expect(requests).toHaveLength(1);
    const secret = requests[0]!.form!["hub.secret"]!;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(requests[0]).toEqual({
      method: "POST",
      path: "/hub",
      contentType: "application/x-www-form-urlencoded",
      body: new URLSearchParams({
        "hub.mode": "subscribe",
        "hub.topic": FEED,
        "hub.callback": `${PUBLIC_ORIGIN}/websub/${source.id}`,
        "hub.secret": secret,
        "hub.lease_seconds": "864000",
      }).toString(),
      form: expect.any(Object),
    });
    expect(await columns(source.id)).toEqual({
      websub_hub: HUB,
      websub_topic: FEED,
      websub_callback: `${PUBLIC_ORIGIN}/websub/${source.id}`,
      websub_secret: secret,
      websub_state: "pending",
      websub_lease_until: null,
      websub_renew_at: NOW + RETRY_AFTER_FAILURE_MS,
      websub_error: null,
      websub_ignored: 0,
    });
  });

  it("asks the hub nothing more while the subscription is pending", async () => {
    const { target } = configured();
    const source = await addSource();
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW + 60_000);
    expect(await hub()).toHaveLength(1);
  });

  it("subscribes at the hub of the feed response's Link header, to its self URL", async () => {
    const { target } = configured();
    const source = await addSource();
    const linkHeader = `<${HUB}>; rel="hub", <https://en.yna.co.kr/RSS/self.xml>; rel="self"`;
    await ensureWebSub(target, source, { hub: null, self: null, linkHeader }, NOW);
    const [request] = await hub();
    expect(request!.form!["hub.topic"]).toBe("https://en.yna.co.kr/RSS/self.xml");
    expect((await columns(source.id)).websub_state).toBe("pending");
  });

  it("marks the source not-configured, and asks no hub, without PUBLIC_ORIGIN", async () => {
    const { target } = configured({ PUBLIC_ORIGIN: undefined });
    const source = await addSource();
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
    expect(await hub()).toEqual([]);
    expect(await columns(source.id)).toMatchObject({ websub_hub: HUB, websub_state: "not-configured", websub_error: NOT_CONFIGURED_ERROR, websub_renew_at: null });
  });

  it("leaves the source failed with the hub's answer when the hub refuses, retried later", async () => {
    const { target } = configured();
    const source = await addSource();
    await hub({ answer: { status: 400, body: "hub.topic is not a feed this hub serves" } });
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
    expect(await columns(source.id)).toMatchObject({
      websub_state: "failed",
      websub_error: 'the hub answered HTTP 400: "hub.topic is not a feed this hub serves"',
      websub_renew_at: NOW + RETRY_AFTER_FAILURE_MS,
    });
    const view = (await (await call(target, "GET", `/api/sources/${source.id}`)).json()) as { websub: unknown };
    expect(view.websub).toEqual({
      hub: HUB,
      topic: FEED,
      state: "failed",
      leaseUntil: null,
      error: 'the hub answered HTTP 400: "hub.topic is not a feed this hub serves"',
      ignoredNotifications: 0,
    });
  });

  it("never requests a hub at a private address", async () => {
    const { target } = configured();
    const source = await addSource();
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    await ensureWebSub(target, source, { hub: "http://10.0.0.1/hub", self: FEED }, NOW);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(await columns(source.id)).toMatchObject({ websub_state: "failed", websub_error: `the hub is not requested: ${refusalReason("http://10.0.0.1/hub", true)}` });
  });

  it("logs a storage error instead of failing the source check that called it", async () => {
    const unavailable = {
      prepare: () => {
        throw new Error("D1 is unavailable");
      },
    };
    const { target } = configured({ DB: unavailable as unknown as D1Database });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    await expect(ensureWebSub(target, { id: "0123456789abcdef", url: FEED }, { hub: HUB, self: FEED }, NOW)).resolves.toBeUndefined();
    expect(error.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([{ event: "websub-error", sourceId: "0123456789abcdef", error: "Error: D1 is unavailable" }]);
    expect(await hub()).toEqual([]);
  });
});

describe("verification of intent", () => {
  it("answers the hub's challenge as text/plain for the pending subscription to that topic, and records the lease", async () => {
    const { target } = configured();
    const source = await addSource();
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
    const before = Date.now();
    const response = await call(target, "GET", verification(source.id, { "hub.mode": "subscribe", "hub.topic": FEED, "hub.challenge": "a1b2c3", "hub.lease_seconds": "86400" }));
    const after = Date.now();
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe("a1b2c3");
    const stored = await columns(source.id);
    expect(stored.websub_state).toBe("verified");
    expect(stored.websub_lease_until! - DAY).toBeGreaterThanOrEqual(before);
    expect(stored.websub_lease_until! - DAY).toBeLessThanOrEqual(after);
    expect(stored.websub_renew_at).toBe(renewalTime(stored.websub_lease_until! - DAY, 86400));
  });

  it("answers 404 without the challenge for another topic, an unsubscription, or an unknown source", async () => {
    const { target } = configured();
    const source = await addSource();
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
    const intent = { "hub.mode": "subscribe", "hub.topic": FEED, "hub.challenge": "ch4ll3ng3" };
    for (const path of [
      verification(source.id, { ...intent, "hub.topic": "https://en.yna.co.kr/RSS/other.xml" }),
      verification(source.id, { ...intent, "hub.mode": "unsubscribe" }),
      verification("ffffffffffffffff", intent),
    ]) {
      const response = await call(target, "GET", path);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await response.text()).not.toContain("ch4ll3ng3");
    }
    expect((await columns(source.id)).websub_state).toBe("pending");
  });

  it("records the hub's denial with its reason and answers 200", async () => {
    const { target } = configured();
    const source = await addSource();
    await ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW);
    const response = await call(target, "GET", verification(source.id, { "hub.mode": "denied", "hub.topic": FEED, "hub.reason": "this hub serves no such topic" }));
    expect(response.status).toBe(200);
    expect(await columns(source.id)).toMatchObject({ websub_state: "denied", websub_error: "the hub denied the subscription: this hub serves no such topic" });
  });
});

describe("notifications", () => {
  const feedBody = `<?xml version="1.0"?><rss version="2.0"><channel><title>Yonhap</title></channel></rss>`;

  it("starts exactly one immediate check of the feed for each notification signed with sha1, sha256 or sha512", async () => {
    const { target, sent } = configured();
    const source = await verifiedSource(target);
    for (const [method, hash] of [["sha1", "SHA-1"], ["sha256", "SHA-256"], ["sha512", "SHA-512"]] as const) {
      sent.length = 0;
      const before = Date.now();
      const response = await call(target, "POST", `/websub/${source.id}`, {
        body: feedBody,
        headers: { "Content-Type": "application/rss+xml", "X-Hub-Signature": `${method}=${await hmac(hash, source.secret, feedBody)}` },
      });
      expect(response.status).toBe(202);
      expect(sent).toEqual([{ type: "source", sourceId: source.id, host: "en.yna.co.kr", notBefore: expect.any(Number), reason: "websub" }]);
      expect((sent[0] as { notBefore: number }).notBefore).toBeGreaterThanOrEqual(before);
    }
  });

  it("acknowledges a notification with a wrong or missing signature with 202, counts it, and checks nothing", async () => {
    const { target, sent } = configured();
    const source = await verifiedSource(target);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const wrongSignature = `sha256=${await hmac("SHA-256", "not-the-secret", feedBody)}`;
    const wrong = await call(target, "POST", `/websub/${source.id}`, {
      body: feedBody,
      headers: { "X-Hub-Signature": wrongSignature },
    });
    const missing = await call(target, "POST", `/websub/${source.id}`, { body: feedBody });
    expect([wrong.status, missing.status]).toEqual([202, 202]);
    expect(sent).toEqual([]);
    expect((await columns(source.id)).websub_ignored).toBe(2);
    const view = (await (await call(target, "GET", `/api/sources/${source.id}`)).json()) as { websub: { ignoredNotifications: number } };
    expect(view.websub.ignoredNotifications).toBe(2);
    expect(warn.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([
      { event: "websub-notification-ignored", sourceId: source.id, signature: wrongSignature },
      { event: "websub-notification-ignored", sourceId: source.id, signature: null },
    ]);
  });

  it("answers 410 Gone to a notification for an unknown source, or a paused one, whose subscription it drops", async () => {
    const { target, sent } = configured();
    const unknown = await call(target, "POST", "/websub/ffffffffffffffff", { body: feedBody });
    expect(unknown.status).toBe(410);
    expect(unknown.headers.get("Content-Type")).toBe("application/problem+json");
    const source = await verifiedSource(target);
    await env.DB.prepare("UPDATE sources SET status = 'paused' WHERE id = ?").bind(source.id).run();
    const paused = await call(target, "POST", `/websub/${source.id}`, {
      body: feedBody,
      headers: { "X-Hub-Signature": `sha256=${await hmac("SHA-256", source.secret, feedBody)}` },
    });
    expect(paused.status).toBe(410);
    expect(sent).toEqual([]);
    expect(await columns(source.id)).toMatchObject({ websub_state: null, websub_renew_at: null, websub_secret: source.secret });
  });

  it("refuses a notification larger than the source size cap with 413 and checks nothing", async () => {
    const { target, sent } = configured({ SOURCE_MAX_BYTES: "64" });
    const source = await verifiedSource(target);
    const body = "x".repeat(65);
    const response = await call(target, "POST", `/websub/${source.id}`, { body, headers: { "X-Hub-Signature": `sha256=${await hmac("SHA-256", source.secret, body)}` } });
    expect(response.status).toBe(413);
    expect(sent).toEqual([]);
  });
});

describe("renewal", () => {
  it("re-subscribes with the same secret at the cron tick where the lease's renewal is due, and not before", async () => {
    const { target } = configured();
    const source = await verifiedSource(target);
    const renewAt = (await columns(source.id)).websub_renew_at!;
    await tick(target, renewAt - 60_000);
    expect(await hub()).toEqual([]);
    await tick(target, renewAt);
    const requests = await hub();
    expect(requests.map((request) => request.form)).toEqual([
      {
        "hub.mode": "subscribe",
        "hub.topic": FEED,
        "hub.callback": `${PUBLIC_ORIGIN}/websub/${source.id}`,
        "hub.secret": source.secret,
        "hub.lease_seconds": "864000",
      },
    ]);
    await tick(target, renewAt + 60_000);
    expect(await hub()).toHaveLength(1);
  });

  it("renews at most RENEWALS_PER_TICK subscriptions in one tick, the soonest due first, and the rest at the next", async () => {
    const { target } = configured();
    const ids: string[] = [];
    for (let n = 0; n < RENEWALS_PER_TICK + 2; n++) {
      const source = await addSource(`https://en.yna.co.kr/RSS/feed-${n}.xml`);
      ids.push(source.id);
      await ensureWebSub(target, source, { hub: HUB, self: null }, NOW - n * 60_000);
    }
    await hub({ reset: true });
    const due = NOW + RETRY_AFTER_FAILURE_MS;
    await tick(target, due);
    const first = (await hub()).map((request) => request.form!["hub.topic"]);
    expect(first).toEqual(Array.from({ length: RENEWALS_PER_TICK }, (_, i) => `https://en.yna.co.kr/RSS/feed-${RENEWALS_PER_TICK + 1 - i}.xml`));
    await tick(target, due + 60_000);
    expect((await hub()).slice(RENEWALS_PER_TICK).map((request) => request.form!["hub.topic"])).toEqual(["https://en.yna.co.kr/RSS/feed-1.xml", "https://en.yna.co.kr/RSS/feed-0.xml"]);
  });

  it("drops a paused source's subscription instead of renewing it", async () => {
    const { target } = configured();
    const source = await verifiedSource(target);
    await env.DB.prepare("UPDATE sources SET status = 'paused' WHERE id = ?").bind(source.id).run();
    await tick(target, (await columns(source.id)).websub_renew_at!);
    expect(await hub()).toEqual([]);
    expect(await columns(source.id)).toMatchObject({ websub_state: null, websub_renew_at: null });
  });
});

describe("cost", () => {
  it("a subscription is 2 D1 statements, a feed already subscribed 1 SELECT, and a tick with nothing due reads 1 row of the renewal index among 50 sources", async () => {
    const source = await addSource();
    for (let n = 0; n < 49; n++) await addSource(`https://en.yna.co.kr/RSS/feed-${n}.xml`);
    const measure = async (run: (target: Env) => Promise<unknown>) => {
      const { env: metered, d1, counts } = instrumented();
      await run(configured({ DB: metered.DB, REDLINE_KV: metered.REDLINE_KV }).target);
      return { trips: d1.trips, rowsRead: d1.rowsRead, rowsWritten: d1.rowsWritten, kv: counts.kvReads + counts.kvWrites };
    };
    expect(await measure((target) => ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW))).toEqual({
      trips: [["SELECT sources"], ["UPDATE sources"]],
      rowsRead: 2,
      rowsWritten: 2,
      kv: 0,
    });
    expect(await measure((target) => ensureWebSub(target, source, { hub: HUB, self: FEED }, NOW + 60_000))).toEqual({ trips: [["SELECT sources"]], rowsRead: 1, rowsWritten: 0, kv: 0 });
    expect(await measure((target) => renewWebSubLeases(target, NOW + 60_000))).toEqual({ trips: [["SELECT sources"]], rowsRead: 1, rowsWritten: 0, kv: 0 });
  });
});

describe("with the source check", () => {
  it("subscribes at the hub a checked feed advertises, shows its secret nowhere, and a signed notification then checks the feed at once", async () => {
    const { target, sent } = configured();
    const origin = adHocOrigin();
    const feedUrl = "https://feeds.redline.test/world.xml";
    const selfUrl = "https://feeds.redline.test/world-self.xml";
    const feed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>World</title><link>https://feeds.redline.test/</link><description>d</description>
<atom:link rel="hub" href="${HUB}"/><atom:link rel="self" href="${selfUrl}"/></channel></rss>`;
    origin.serve(feedUrl, answerWith(feed, "application/rss+xml"));
    // Checked as of now: the notification's check, a moment later, finds the host free again (and the source not due).
    const id = await insertSource({ url: feedUrl, nextCheckAt: Date.now() });
    await consume([{ body: { type: "source", sourceId: id, host: "feeds.redline.test", notBefore: Date.now() } }], undefined, target);
    expect((await hub()).map((request) => request.form)).toEqual([
      {
        "hub.mode": "subscribe",
        "hub.topic": selfUrl,
        "hub.callback": `${PUBLIC_ORIGIN}/websub/${id}`,
        "hub.secret": (await columns(id)).websub_secret,
        "hub.lease_seconds": "864000",
      },
    ]);
    const verified = await call(target, "GET", verification(id, { "hub.mode": "subscribe", "hub.topic": selfUrl, "hub.challenge": "e2e", "hub.lease_seconds": "864000" }));
    expect(await verified.text()).toBe("e2e");

    const secret = (await columns(id)).websub_secret!;
    for (const path of [`/api/sources/${id}`, "/api/sources", "/api/sources.opml", `/sources/${id}`, "/sources"]) {
      const page = await call(target, "GET", path, { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` } });
      expect([path, page.status]).toEqual([path, 200]);
      expect(await page.text()).not.toContain(secret);
    }
    const notified = await call(target, "POST", `/websub/${id}`, { body: feed, headers: { "X-Hub-Signature": `sha256=${await hmac("SHA-256", secret, feed)}` } });
    expect(notified.status).toBe(202);
    expect(sent).toHaveLength(1);
    expect((await sourceRow(id)).next_check_at).toBeGreaterThan((sent[0] as { notBefore: number }).notBefore);
    await consume([{ body: sent[0]! }], undefined, target);
    expect(origin.requested.filter((url) => url === feedUrl)).toHaveLength(2);
    expect(await hub()).toHaveLength(1);
  });
});
