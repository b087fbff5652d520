/**
 * Webhooks end to end: subscriptions through the API, a check that records a change, the queue
 * consumer delivering it to a local subscriber (the fixture origin's webhook sink), signatures,
 * retries with backoff and dead-lettering, driven with the pool's queue helpers.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import worker from "../src/index";
import type { WebhookMessage } from "../src/webhooks/queue";
import { api, check, SEED_URLS, serveTimelineEntry, track, reset } from "./helpers";

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

/** Queue consumers run in the background; wait for the delivery to land. */
async function waitForDeliveries(name: string, count: number): Promise<Delivery[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const deliveries = await deliveriesTo(name);
    if (deliveries.length >= count) return deliveries;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no delivery reached ${name}`);
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

async function runConsumer(queue: string, messages: Array<{ id: string; attempts: number; body: WebhookMessage }>) {
  const batch = createMessageBatch<WebhookMessage>(
    queue,
    messages.map((message) => ({ ...message, timestamp: new Date() })),
  );
  const ctx = createExecutionContext();
  await (worker as ExportedHandler<Env>).queue?.(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

let articleId: string;

beforeAll(async () => {
  await reset();
  await serveTimelineEntry(SEED_URLS.yonhap, 1);
  articleId = (await track(SEED_URLS.yonhap)).json.id;
});

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
      [{ url: sinkUrl("x"), kinds: ["body", "gossip"] }, 400, /unknown: gossip/],
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
    expect(created.json.filter).toEqual({ articleId: null, site: "en.yna.co.kr", kinds: ["body"], minSignificance: 0.2 });
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
  it("POSTs a matching change, signed with the subscription's secret, without delaying the check", async () => {
    const secret = "a shared secret for the test sink";
    const matching = await subscribe({ url: sinkUrl("delivered"), articleId, kinds: ["body"], secret });
    await subscribe({ url: sinkUrl("filtered-out"), articleId, kinds: ["title"] });
    await subscribe({ url: sinkUrl("too-minor"), articleId, minSignificance: 0.95 });

    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const checked = await check(articleId);
    expect(checked.json.change.kinds).toContain("stealth-edit");

    const [delivery] = await waitForDeliveries("delivered", 1);
    const payload = JSON.parse(delivery!.body);
    expect(payload).toMatchObject({
      event: "change",
      deliveryId: `${checked.json.change.id}/${matching.json.id}`,
      change: { id: checked.json.change.id, kinds: checked.json.change.kinds, significance: checked.json.change.significance },
    });
    expect(payload.links.diff).toMatch(new RegExp(`/api/articles/${articleId}/diff\\?from=1&to=2&format=html$`));
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["redline-delivery"]).toBe(payload.deliveryId);
    expect(delivery!.headers["redline-signature-256"]).toBe(await expectedSignature(secret, delivery!.body));

    // The other two were matched against the same change and left out.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await deliveriesTo("filtered-out")).toEqual([]);
    expect(await deliveriesTo("too-minor")).toEqual([]);
  });

  it("retries a failing subscriber with exponential backoff, then delivers once it answers", async () => {
    const subscription = (await subscribe({ url: sinkUrl("flaky"), articleId })).json;
    await sinkAnswers("flaky", 503);
    const body: WebhookMessage = { type: "delivery", subscriptionId: subscription.id, articleId, seq: 2 };

    const failing = await runConsumer("redline-webhooks", [
      { id: "first-try", attempts: 1, body },
      { id: "fourth-try", attempts: 4, body },
    ]);
    expect(failing.explicitAcks).toEqual([]);
    // Both go back to the queue (with 30 s and 240 s delays: see retryDelaySeconds; the pool's
    // result does not report delays). After max_retries the platform dead-letters them.
    expect(failing.retryMessages).toEqual([{ msgId: "first-try" }, { msgId: "fourth-try" }]);
    expect(await deliveriesTo("flaky")).toHaveLength(2);

    await sinkAnswers("flaky", 200);
    const recovered = await runConsumer("redline-webhooks", [{ id: "fifth-try", attempts: 5, body }]);
    expect(recovered.explicitAcks).toEqual(["fifth-try"]);
    expect(recovered.retryMessages).toEqual([]);
  });

  it("acknowledges deliveries for a deleted subscription without sending them", async () => {
    const result = await runConsumer("redline-webhooks", [
      { id: "orphan", attempts: 1, body: { type: "delivery", subscriptionId: "00000000-0000-4000-8000-000000000000", articleId, seq: 2 } },
    ]);
    expect(result.explicitAcks).toEqual(["orphan"]);
  });

  it("records a delivery that exhausted its retries when it reaches the dead-letter queue", async () => {
    const subscription = (await subscribe({ url: sinkUrl("dead"), articleId })).json;
    const result = await runConsumer("redline-webhooks-dlq", [
      { id: "gave-up", attempts: 1, body: { type: "delivery", subscriptionId: subscription.id, articleId, seq: 2 } },
    ]);
    expect(result.explicitAcks).toEqual(["gave-up"]);
    const after = (await api("GET", `/api/subscriptions/${subscription.id}`, {})).json;
    expect(after.deadLettered).toBe(1);
    expect(after.lastDeadLetter.changeId).toBe(`${articleId}-2`);
  });
});
