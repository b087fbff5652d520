/**
 * Webhook delivery through Cloudflare Queues. A check only enqueues one small message per change
 * (`announce`), so a slow or failing subscriber never delays checks. The consumer fans each
 * change out to one delivery message per matching subscription, and each delivery is POSTed,
 * signed, and retried with exponential backoff; after the queue's `max_retries` Cloudflare moves
 * it to the dead-letter queue, whose consumer records the failure on the subscription.
 */
import type { Env } from "../env";
import { refusalReason } from "../fetching/url";
import type { WebhookMessage } from "../queues/messages";
import { SEND_BATCH_LIMIT } from "../queues/names";
import type { ChangeRecord } from "../storage/records";
import { RedlineStore } from "../storage/store";
import { retryDelaySeconds, SIGNATURE_HEADER, signatureOf, wantsChange, type SubscriptionRecord } from "./subscription";

/** A subscriber gets this long to answer before the attempt counts as failed. */
const DELIVERY_TIMEOUT_MS = 10_000;
export type { WebhookMessage } from "../queues/messages";

/** What a subscriber receives (the request body, signed). */
export interface WebhookPayload {
  event: "change";
  /** `<change id>/<subscription id>`: the same on every retry, so receivers can drop duplicates. */
  deliveryId: string;
  change: ChangeRecord;
  links: { article: string; diff: string | null; feed: string };
}

/** The producer side, for the tracker: one message per recorded change. */
export async function announceChange(queue: Queue<WebhookMessage>, change: ChangeRecord): Promise<void> {
  await queue.send({ type: "change", articleId: change.articleId, seq: change.seq });
}

export async function handleWebhookBatch(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const store = new RedlineStore(env.DB, env.REDLINE_KV);
  for (const message of batch.messages) {
    const outcome =
      message.body.type === "change" ? await fanOut(store, env, message.body) : await deliver(store, message.body, env.ALLOW_LOOPBACK === "true");
    if (outcome === "done") message.ack();
    else message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}

/** `redline-webhooks-dlq`: deliveries that exhausted their retries, counted on their subscription. */
export async function handleWebhookDeadLetters(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const store = new RedlineStore(env.DB, env.REDLINE_KV);
  for (const message of batch.messages) {
    await recordDeadLetter(store, message.body);
    message.ack();
  }
}

type Outcome = "done" | "retry";

async function fanOut(store: RedlineStore, env: Env, { articleId, seq }: Extract<WebhookMessage, { type: "change" }>): Promise<Outcome> {
  const change = await store.getChange(articleId, seq);
  if (!change || !env.WEBHOOKS) return "done";
  const deliveries: Array<MessageSendRequest<WebhookMessage>> = [];
  for (const subscription of await store.listSubscriptions()) {
    if (wantsChange(subscription.filter, subscription.createdAt, change)) {
      deliveries.push({ body: { type: "delivery", subscriptionId: subscription.id, articleId, seq } });
    }
  }
  for (let start = 0; start < deliveries.length; start += SEND_BATCH_LIMIT) {
    await env.WEBHOOKS.sendBatch(deliveries.slice(start, start + SEND_BATCH_LIMIT));
  }
  return "done";
}

function payloadFor(subscription: SubscriptionRecord, change: ChangeRecord): WebhookPayload {
  const article = `${subscription.origin}/api/articles/${change.articleId}`;
  const comparable = change.from !== null && change.to !== null && change.from !== change.to;
  return {
    event: "change",
    deliveryId: `${change.id}/${subscription.id}`,
    change,
    links: {
      article,
      diff: comparable ? `${article}/diff?from=${change.from}&to=${change.to}&format=html` : null,
      feed: `${subscription.origin}/feeds/articles/${change.articleId}.atom`,
    },
  };
}

/**
 * One attempt. A deleted subscription or change is done: there is no one left to tell. A URL
 * the host rules now refuse (they were tightened, or ALLOW_LOOPBACK turned off, after it was
 * subscribed) is never requested; retrying cannot change that, so it fails for good at once
 * and is counted like a dead-lettered delivery.
 */
async function deliver(store: RedlineStore, message: Extract<WebhookMessage, { type: "delivery" }>, allowLoopback: boolean): Promise<Outcome> {
  const [subscription, change] = await Promise.all([store.getSubscription(message.subscriptionId), store.getChange(message.articleId, message.seq)]);
  if (!subscription || !change) return "done";
  const refusal = refusalReason(subscription.url, allowLoopback);
  if (refusal) {
    console.warn(`redline: change ${change.id} not delivered to subscription ${subscription.id}: ${refusal}`);
    await recordDeadLetter(store, message);
    return "done";
  }
  const payload = payloadFor(subscription, change);
  const body = JSON.stringify(payload);
  try {
    const response = await fetch(subscription.url, {
      method: "POST",
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Redline-Webhooks/0.1",
        "Redline-Event": payload.event,
        "Redline-Delivery": payload.deliveryId,
        [SIGNATURE_HEADER]: await signatureOf(subscription.secret, body),
      },
    });
    await response.body?.cancel();
    return response.ok ? "done" : "retry";
  } catch {
    return "retry";
  }
}

async function recordDeadLetter(store: RedlineStore, message: WebhookMessage): Promise<void> {
  if (message.type !== "delivery") return;
  await store.recordDeadLetter(message.subscriptionId, { changeId: `${message.articleId}-${message.seq}`, at: new Date().toISOString() });
}
