/**
 * Webhooks end to end: subscriptions through the API, a check that records a change, the queue
 * consumer delivering it to a local subscriber (the fixture origin's webhook sink), signatures,
 * retries with backoff and dead-lettering. The queue itself is left out: its `send` and
 * `sendBatch` are spied on and kept from the real queue, and each test hands the messages to the
 * consumer with the pool's queue helpers, so nothing is delivered behind a test's back.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WebhookMessage } from "../src/channels/queue";
import { runConsumer, useChannelBed } from "./channel-helpers";
import { api, check, SEED_URLS, serveTimelineEntry } from "./helpers";

const sinkUrl = (name: string) => `${env.REPLAY_ORIGIN}/__replay/webhooks/${name}`;

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

async function deliveriesTo(name: string): Promise<Delivery[]> {
  return ((await (await fetch(sinkUrl(name))).json()) as { deliveries: Delivery[] }).deliveries;
}

async function sinkAnswers(name: string, status: number): Promise<void> {
  await fetch(sinkUrl(name), { method: "PUT", body: JSON.stringify({ status }) });
}

async function expectedSignature(secret: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${Buffer.from(mac).toString("hex")}`;
}

async function subscribe(body: Record<string, unknown>) {
  return api("POST", "/api/subscriptions", { body });
}

const bed = useChannelBed();
/** Every message the worker sent to the webhook queue, in order. */
const queued = bed.queued;

/** Records change 2 of the article (Yonhap's stealth edit) and returns the check's answer. */
async function recordEdit() {
  await serveTimelineEntry(SEED_URLS.yonhap, 2);
  return (await check(bed.articleId)).json;
}

describe("subscriptions API", () => {
  it("needs the admin token for every route", async () => {
    const anonymous = { headers: {} };
    expect((await api("GET", "/api/subscriptions", anonymous)).status).toBe(401);
    expect((await api("POST", "/api/subscriptions", { ...anonymous, body: { url: sinkUrl("x") } })).status).toBe(401);
    expect((await api("DELETE", "/api/subscriptions/anything", anonymous)).status).toBe(401);
  });

  it("refuses bad input with a problem document", async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{}, 400, /`url` is required/],
      [{ url: "ftp://example.com/hook" }, 400, /http\(s\)/],
      [{ url: "not a url" }, 400, /not an absolute URL/],
      [{ url: sinkUrl("x"), kinds: ["body", "gossip"] }, 400, /unknown: \["gossip"\]/],
      [{ url: sinkUrl("x"), kinds: "body" }, 400, /array/],
      [{ url: sinkUrl("x"), minSignificance: 2 }, 400, /from 0 to 1/],
      [{ url: sinkUrl("x"), site: "Not A Host!" }, 400, /host name/],
      [{ url: sinkUrl("x"), secret: "short" }, 400, /16 to 256/],
      [{ url: sinkUrl("x"), articleId: "0123456789abcdef" }, 422, /No tracked article/],
    ];
    for (const [body, status, detail] of cases) {
      const response = await subscribe(body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(response.json.detail).toMatch(detail);
    }
    const notJson = await api("POST", "/api/subscriptions", { rawBody: "{" });
    expect(notJson.status).toBe(400);
  });

  it("creates, shows the secret once, lists, reads and deletes", async () => {
    const created = await subscribe({ url: sinkUrl("crud"), kinds: ["body"], minSignificance: 0.2, site: "en.yna.co.kr" });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.json.filter).toEqual({ articleId: null, site: "en.yna.co.kr", source: null, kinds: ["body"], minSignificance: 0.2 });
    expect(created.json).toMatchObject({ type: "webhook", config: { url: sinkUrl("crud") }, description: `POST to ${sinkUrl("crud")}` });
    const id: string = created.json.id;
    expect(created.headers.get("Location")).toBe(`/api/subscriptions/${id}`);

    const listed = await api("GET", "/api/subscriptions", {});
    const item = listed.json.items.find((entry: { id: string }) => entry.id === id);
    expect(item).toMatchObject({ url: sinkUrl("crud"), deadLettered: 0 });
    expect(item).not.toHaveProperty("secret");
    expect((await api("GET", `/api/subscriptions/${id}`, {})).json).not.toHaveProperty("secret");

    expect((await api("DELETE", `/api/subscriptions/${id}`, {})).status).toBe(204);
    expect((await api("GET", `/api/subscriptions/${id}`, {})).status).toBe(404);
  });
});

describe("delivery", () => {
  it("a check only enqueues its change; the consumer POSTs it to the matching subscriptions alone, signed with each one's secret", async () => {
    const secret = "a shared secret for the test sink";
    const matching = await subscribe({ url: sinkUrl("delivered"), articleId: bed.articleId, kinds: ["body"], secret });
    await subscribe({ url: sinkUrl("filtered-out"), articleId: bed.articleId, kinds: ["title"] });
    await subscribe({ url: sinkUrl("too-minor"), articleId: bed.articleId, minSignificance: 0.95 });

    const checked = await recordEdit();
    expect(checked.change).toMatchObject({ seq: 2, kinds: ["body", "numbers-changed", "stealth-edit"] });
    // The check's whole part in delivery: one small message, nothing sent to a subscriber.
    expect(queued).toEqual([{ type: "change", articleId: bed.articleId, seq: 2 }]);
    expect(await deliveriesTo("delivered")).toEqual([]);

    const fanOut = queued.splice(0);
    expect((await runConsumer([{ id: "change", attempts: 1, body: fanOut[0]! }])).explicitAcks).toEqual(["change"]);
    expect(queued).toEqual([{ type: "delivery", subscriptionId: matching.json.id, articleId: bed.articleId, seq: 2 }]);

    const delivered = await runConsumer([{ id: "delivery", attempts: 1, body: queued[0]! }]);
    expect(delivered).toMatchObject({ explicitAcks: ["delivery"], retryMessages: [] });
    const deliveries = await deliveriesTo("delivered");
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    const payload = JSON.parse(delivery!.body);
    expect(payload).toMatchObject({
      event: "change",
      deliveryId: `${checked.change.id}/${matching.json.id}`,
      change: { id: checked.change.id, kinds: checked.change.kinds, significance: checked.change.significance },
    });
    expect(payload.links.diff).toBe(`http://redline.test/api/articles/${bed.articleId}/diff?from=1&to=2&format=html`);
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["redline-delivery"]).toBe(payload.deliveryId);
    expect(delivery!.headers["redline-signature-256"]).toBe(await expectedSignature(secret, delivery!.body));
    expect(await deliveriesTo("filtered-out")).toEqual([]);
    expect(await deliveriesTo("too-minor")).toEqual([]);
  });

  it("retries a failing subscriber with exponential backoff, 30 s doubling to at most an hour, then delivers once it answers", async () => {
    await recordEdit();
    const subscription = (await subscribe({ url: sinkUrl("flaky"), articleId: bed.articleId })).json;
    await sinkAnswers("flaky", 503);
    const body: WebhookMessage = { type: "delivery", subscriptionId: subscription.id, articleId: bed.articleId, seq: 2 };
    const attempts = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    const failing = await runConsumer(attempts.map((attempt) => ({ id: `try-${attempt}`, attempts: attempt, body })));
    expect(failing.explicitAcks).toEqual([]);
    // Each goes back to the queue; after max_retries (wrangler.toml) the platform dead-letters it.
    expect(failing.retryMessages).toEqual(attempts.map((attempt) => ({ msgId: `try-${attempt}` })));
    expect(failing.retryDelays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    expect(await deliveriesTo("flaky")).toHaveLength(9);

    await sinkAnswers("flaky", 200);
    const recovered = await runConsumer([{ id: "try-10", attempts: 10, body }]);
    expect(recovered).toMatchObject({ explicitAcks: ["try-10"], retryMessages: [], retryDelays: [] });
    expect(await deliveriesTo("flaky")).toHaveLength(10);
  });

  it("names the subscriber's refusal as the reason a test notice was not delivered", async () => {
    await recordEdit();
    const subscription = (await subscribe({ url: sinkUrl("refusing"), articleId: bed.articleId })).json;
    await sinkAnswers("refusing", 503);
    const sent = await api("POST", `/api/subscriptions/${subscription.id}/test`);
    expect(sent.status).toBe(502);
    expect(sent.json).toMatchObject({ outcome: "retry", reason: "The webhook answered 503" });
  });

  it("acknowledges deliveries for a deleted subscription without sending them", async () => {
    await recordEdit();
    const result = await runConsumer([
      { id: "orphan", attempts: 1, body: { type: "delivery", subscriptionId: "00000000-0000-4000-8000-000000000000", articleId: bed.articleId, seq: 2 } },
    ]);
    expect(result).toMatchObject({ explicitAcks: ["orphan"], retryMessages: [] });
  });

  it("records a delivery that exhausted its retries when it reaches the dead-letter queue", async () => {
    await recordEdit();
    const subscription = (await subscribe({ url: sinkUrl("dead"), articleId: bed.articleId })).json;
    const result = await runConsumer(
      [{ id: "gave-up", attempts: 1, body: { type: "delivery", subscriptionId: subscription.id, articleId: bed.articleId, seq: 2 } }],
      env,
      "redline-webhooks-dlq",
    );
    expect(result.explicitAcks).toEqual(["gave-up"]);
    const after = (await api("GET", `/api/subscriptions/${subscription.id}`, {})).json;
    expect(after).toMatchObject({ deadLettered: 1, lastDeadLetter: { changeId: `${bed.articleId}-2` } });
    expect(await deliveriesTo("dead")).toEqual([]);
  });
});
