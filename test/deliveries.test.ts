/**
 * The delivery ledger (`deliveries`, migrations/0011; docs/storage.md "deliveries"): Cloudflare
 * Queues deliver at least once, so the same delivery message may come again after it succeeded
 * (its ack lost, the consumer crashed after the service answered). The consumer reads the ledger
 * with the subscription and acknowledges a delivery already recorded without calling the channel.
 * Driven through the real consumer against the loopback Slack and Mastodon fakes.
 */
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { WebhookMessage } from "../src/queues/messages";
import { RedlineStore } from "../src/storage/store";
import { DELIVERIES_KEPT_MS, DELIVERIES_PRUNE_LIMIT, SubscriptionStore } from "../src/storage/subscriptions";
import { MASTODON_TOKENS } from "./fakes/mastodon.mjs";
import { SLACK_HOOKS } from "./fakes/slack.mjs";
import { command, runConsumer, useChannelBed } from "./channel-helpers";
import { api, check, instrumented, SEED_URLS, serveTimelineEntry } from "./helpers";

declare module "vitest" {
  export interface ProvidedContext {
    slackFake: string;
    mastodonFake: string;
  }
}

const SLACK = inject("slackFake");
const MASTODON = inject("mastodonFake");
const SLACK_URL = `${SLACK}${SLACK_HOOKS.good}`;

const bed = useChannelBed(() => Promise.all([command(SLACK, "__slack", { reset: true }), command(MASTODON, "__mastodon", { reset: true })]));
const queued = bed.queued;

const subscriptions = () => new SubscriptionStore(env.DB, env.REDLINE_KV);
const subscribe = async (body: Record<string, unknown>): Promise<string> => {
  const created = await api("POST", "/api/subscriptions", { body: { articleId: bed.articleId, ...body } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return created.json.id as string;
};
const delivery = (subscriptionId: string): WebhookMessage => ({ type: "delivery", subscriptionId, articleId: bed.articleId, seq: 2 });
const deliveryId = (subscriptionId: string) => `${bed.articleId}-2/${subscriptionId}`;
const ledgerRows = async (subscriptionId: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE subscription_id = ?").bind(subscriptionId).first<number>("n"))!;

/** Records the Yonhap stealth edit (change 2) by a real check; the fan-out is not needed, the tests queue their own delivery messages. */
async function recordEdit(): Promise<void> {
  await serveTimelineEntry(SEED_URLS.yonhap, 2);
  await check(bed.articleId);
  queued.length = 0;
}

const statusPosts = async () => ((await command(MASTODON, "__mastodon")).requests as Array<{ path: string }>).filter((request) => request.path === "/api/v1/statuses");

describe("the delivery ledger", () => {
  it("a Slack delivery redelivered after it succeeded posts once; the second is acknowledged without a request", async () => {
    const id = await subscribe({ type: "slack", url: SLACK_URL });
    await recordEdit();
    expect(await runConsumer([{ id: "first", attempts: 1, body: delivery(id) }])).toMatchObject({ explicitAcks: ["first"], retryMessages: [] });
    // The ack was lost: Queues delivers the same body again.
    expect(await runConsumer([{ id: "again", attempts: 2, body: delivery(id) }])).toMatchObject({ explicitAcks: ["again"], retryMessages: [] });
    expect((await command(SLACK, "__slack")).requests).toHaveLength(1);
    const row = await subscriptions().getDelivery(deliveryId(id));
    expect(row).toEqual({ deliveryId: deliveryId(id), subscriptionId: id, deliveredAtMs: expect.any(Number), receipt: null });
    expect((await subscriptions().get(id))!.deadLettered).toBe(0);
  });

  it("a Mastodon delivery redelivered after it succeeded uploads and posts once, and the ledger row holds the status as the receipt", async () => {
    const id = await subscribe({ type: "mastodon", instance: MASTODON, accessToken: MASTODON_TOKENS.good, visibility: "public" });
    await recordEdit();
    await runConsumer([{ id: "first", attempts: 1, body: delivery(id) }]);
    const before = (await command(MASTODON, "__mastodon")).requests.length;
    // Past the instance's one-hour Idempotency-Key: the ledger, not Mastodon, must stop the repeat.
    expect(await runConsumer([{ id: "again", attempts: 7, body: delivery(id) }])).toMatchObject({ explicitAcks: ["again"], retryMessages: [] });
    const fake = await command(MASTODON, "__mastodon");
    expect(fake.requests).toHaveLength(before);
    expect(await statusPosts()).toHaveLength(1);
    expect(fake.statuses).toHaveLength(1);
    const status = fake.statuses[0] as { id: string; url: string };
    expect((await subscriptions().getDelivery(deliveryId(id)))!.receipt).toEqual({ statusId: status.id, url: status.url ?? null });
  });

  it("a poll of a delivery the ledger already holds is acknowledged without asking the instance", async () => {
    const id = await subscribe({ type: "mastodon", instance: MASTODON, accessToken: MASTODON_TOKENS.good, visibility: "public" });
    await recordEdit();
    await runConsumer([{ id: "first", attempts: 1, body: delivery(id) }]);
    const before = (await command(MASTODON, "__mastodon")).requests.length;
    const poll: WebhookMessage = { type: "poll", subscriptionId: id, articleId: bed.articleId, seq: 2, state: { mediaId: "1", polls: 1 } };
    expect(await runConsumer([{ id: "poll", attempts: 1, body: poll }])).toMatchObject({ explicitAcks: ["poll"], retryMessages: [] });
    expect((await command(MASTODON, "__mastodon")).requests).toHaveLength(before);
  });

  it("a failed attempt writes no row; its retry posts, is recorded, and a redelivery after that posts nothing", async () => {
    const id = await subscribe({ type: "slack", url: SLACK_URL });
    await recordEdit();
    await command(SLACK, "__slack", { answers: [{ status: 500, body: "" }] });
    expect(await runConsumer([{ id: "down", attempts: 1, body: delivery(id) }])).toMatchObject({ retryMessages: [{ msgId: "down" }] });
    expect(await subscriptions().getDelivery(deliveryId(id))).toBeNull();
    expect(await runConsumer([{ id: "retried", attempts: 2, body: delivery(id) }])).toMatchObject({ explicitAcks: ["retried"] });
    expect(await runConsumer([{ id: "again", attempts: 3, body: delivery(id) }])).toMatchObject({ explicitAcks: ["again"] });
    // The 500 and the success: one message posted.
    expect((await command(SLACK, "__slack")).requests).toHaveLength(2);
    expect(await ledgerRows(id)).toBe(1);
  });

  it("a test send is not recorded and does not stop the queued delivery of the same change", async () => {
    const id = await subscribe({ type: "slack", url: SLACK_URL });
    await recordEdit();
    expect((await api("POST", `/api/subscriptions/${id}/test`)).json).toMatchObject({ sent: `${bed.articleId}-2`, result: { outcome: "delivered" } });
    expect(await ledgerRows(id)).toBe(0);
    await runConsumer([{ id: "queued", attempts: 1, body: delivery(id) }]);
    expect((await command(SLACK, "__slack")).requests).toHaveLength(2);
    expect(await ledgerRows(id)).toBe(1);
  });

  it("deleting a subscription deletes its ledger rows (ON DELETE CASCADE), and a delivery finishing after the DELETE writes none", async () => {
    const kept = await subscribe({ type: "slack", url: SLACK_URL });
    const gone = await subscribe({ type: "slack", url: SLACK_URL });
    await recordEdit();
    await runConsumer([
      { id: "kept", attempts: 1, body: delivery(kept) },
      { id: "gone", attempts: 1, body: delivery(gone) },
    ]);
    expect([await ledgerRows(kept), await ledgerRows(gone)]).toEqual([1, 1]);
    expect((await api("DELETE", `/api/subscriptions/${gone}`)).status).toBe(204);
    expect([await ledgerRows(kept), await ledgerRows(gone)]).toEqual([1, 0]);
    // The INSERT … SELECT finds no subscription: no row, no foreign-key error.
    await subscriptions().recordDelivery({ deliveryId: deliveryId(gone), subscriptionId: gone, deliveredAtMs: Date.now(), receipt: null });
    expect(await ledgerRows(gone)).toBe(0);
  });

  it("the cron tick prunes rows older than DELIVERIES_KEPT_MS, at most DELIVERIES_PRUNE_LIMIT a tick, oldest first", async () => {
    const id = await subscribe({ type: "slack", url: SLACK_URL });
    const now = Date.now();
    const old = now - DELIVERIES_KEPT_MS - 1;
    await env.DB.batch([
      ...Array.from({ length: DELIVERIES_PRUNE_LIMIT + 2 }, (_, i) =>
        env.DB.prepare("INSERT INTO deliveries (delivery_id, subscription_id, delivered_at_ms, receipt) VALUES (?, ?, ?, NULL)").bind(`old-${i}/${id}`, id, old - i),
      ),
      env.DB.prepare("INSERT INTO deliveries (delivery_id, subscription_id, delivered_at_ms, receipt) VALUES (?, ?, ?, NULL)").bind(`recent/${id}`, id, now - DELIVERIES_KEPT_MS + 60_000),
    ]);
    const store = new RedlineStore(env.DB, env.REDLINE_KV);
    const record = { at: new Date(now).toISOString(), finishedAt: new Date(now).toISOString() } as never;
    await store.finishDispatch([], record, 0, now - DELIVERIES_KEPT_MS);
    const left = (await env.DB.prepare("SELECT delivery_id FROM deliveries ORDER BY delivered_at_ms").all<{ delivery_id: string }>()).results.map((row) => row.delivery_id);
    // The two newest of the old rows (old-0, old-1) wait for the next tick.
    expect(left).toEqual([`old-1/${id}`, `old-0/${id}`, `recent/${id}`]);
    await store.finishDispatch([], record, 0, now - DELIVERIES_KEPT_MS);
    expect((await env.DB.prepare("SELECT delivery_id FROM deliveries").all<{ delivery_id: string }>()).results).toEqual([{ delivery_id: `recent/${id}` }]);
  });
});

describe("what the ledger costs (docs/storage.md, deliveries)", () => {
  it("a delivery reads the subscription joined to its ledger row in one statement beside the change, then INSERTs its row; a redelivery reads the same and writes nothing", async () => {
    const id = await subscribe({ type: "slack", url: SLACK_URL });
    await recordEdit();
    const first = instrumented();
    await runConsumer([{ id: "first", attempts: 1, body: delivery(id) }], first.env);
    expect({ trips: first.d1.trips, rowsRead: first.d1.rowsRead, rowsWritten: first.d1.rowsWritten, kv: first.counts.kvReads + first.counts.kvWrites }).toEqual({
      trips: [["SELECT subscriptions"], ["SELECT changes"], ["INSERT deliveries"]],
      rowsRead: 3,
      rowsWritten: 4,
      kv: 0,
    });
    const again = instrumented();
    await runConsumer([{ id: "again", attempts: 2, body: delivery(id) }], again.env);
    expect({ trips: again.d1.trips, rowsRead: again.d1.rowsRead, rowsWritten: again.d1.rowsWritten }).toEqual({ trips: [["SELECT subscriptions"], ["SELECT changes"]], rowsRead: 3, rowsWritten: 0 });
    expect((await command(SLACK, "__slack")).requests).toHaveLength(1);
  });
});
