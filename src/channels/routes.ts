/**
 * `/api/subscriptions`: channel subscriptions. Every route needs admin rights: destinations and
 * filters are private, and a test send reaches out to the subscriber's service.
 */
import { Hono } from "hono";
import { requireAdmin } from "../api/auth";
import { readJsonObject } from "../api/params";
import { problem } from "../api/problem";
import type { AppEnv } from "../app-env";
import { channelOf } from "./index";
import { createSubscription, testFailure, testSend } from "./manage";
import { delivererFor } from "./queue";
import { publicView, type StoredSubscription } from "./subscription";
import type { SubscriptionStore } from "../storage/subscriptions";

const EXAMPLE = '{"type": "webhook", "url": "https://example.com/hooks/redline", "kinds": ["body", "title"], "minSignificance": 0.3}';

export const subscriptions = new Hono<AppEnv>();
subscriptions.use(requireAdmin);

subscriptions.post("/", async (c) => {
  const body = await readJsonObject(c.req.raw, EXAMPLE);
  const { view, secret } = await createSubscription(await delivererFor(c.env, c.var.tracker), body, new URL(c.req.url).origin);
  return c.json(secret === undefined ? view : { ...view, secret }, 201, { Location: `/api/subscriptions/${view.id}` });
});

subscriptions.get("/", async (c) => {
  const { subscriptions: store } = await delivererFor(c.env, c.var.tracker);
  return c.json({ items: (await store.list()).map((subscription) => publicView(subscription, channelOf(subscription.type))) });
});

export async function loadSubscription(store: SubscriptionStore, id: string): Promise<StoredSubscription> {
  const subscription = await store.get(id);
  if (!subscription) throw problem(404, `No subscription has the id ${id}.`);
  return subscription;
}

subscriptions.get("/:id", async (c) => {
  const subscription = await loadSubscription((await delivererFor(c.env, c.var.tracker)).subscriptions, c.req.param("id"));
  return c.json(publicView(subscription, channelOf(subscription.type)));
});

subscriptions.delete("/:id", async (c) => {
  const { subscriptions: store } = await delivererFor(c.env, c.var.tracker);
  const subscription = await loadSubscription(store, c.req.param("id"));
  await store.delete(subscription.id);
  return c.body(null, 204);
});

/** Sends a test notice now and answers what the service did: 200 delivered, 202 pending, 502 with the service's answer otherwise. */
subscriptions.post("/:id/test", async (c) => {
  const deliverer = await delivererFor(c.env, c.var.tracker);
  const subscription = await loadSubscription(deliverer.subscriptions, c.req.param("id"));
  const sent = await testSend(deliverer, subscription);
  const failure = testFailure(sent);
  if (failure) throw failure;
  return c.json(sent, sent.result.outcome === "pending" ? 202 : 200);
});
