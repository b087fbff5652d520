/**
 * Channel delivery through Cloudflare Queues (`redline-webhooks`). A check only enqueues one
 * small message per change (`announce`), so a slow or failing service never delays checks. The
 * consumer fans each change out to one delivery message per matching subscription; a delivery
 * opens the subscription's sealed secret, builds the EditNotice and hands it to the channel,
 * then acts on its DeliveryResult: delivered → ack; pending → a `poll` message, delayed; retry →
 * the queue's retry with exponential backoff (or the service's Retry-After); failed → counted
 * on the subscription at once. After `max_retries` (wrangler.toml) Cloudflare moves a delivery
 * to the dead-letter queue, whose consumer counts it the same way.
 *
 * Queues deliver at least once, so a delivery may arrive again after it succeeded (its ack lost,
 * or the consumer crashed after the service answered). The delivery ledger (`deliveries`,
 * migrations/0011) makes that a no-op: the subscription is read joined to the ledger row of its
 * delivery id, and a delivery or poll already recorded is acknowledged without calling the
 * channel; a `delivered` answer is recorded before the ack.
 */
import type { Env } from "../env";
import { changeImage } from "../image";
import type { WebhookMessage } from "../queues/messages";
import { QUEUE_MAX_DELAY_SECONDS, SEND_BATCH_LIMIT } from "../queues/names";
import { quoteInput } from "../quote";
import type { ChangeRecord } from "../storage/records";
import { RedlineStore } from "../storage/store";
import { SubscriptionStore } from "../storage/subscriptions";
import { channelContext, settle } from "./context";
import { channelOf } from "./index";
import type { DeliveryResult, EditNotice, RedlineImage } from "./model";
import { editNotice } from "./notice";
import { keyringFrom, open, seal, SealedSecretError, sealedKeyId, type Keyring } from "./secrets";
import { retryDelaySeconds, wantsChange, type StoredSubscription } from "./subscription";

export type { WebhookMessage } from "../queues/messages";

/** The producer side, for the tracker: one message per recorded change. */
export async function announceChange(queue: Queue<WebhookMessage>, change: ChangeRecord): Promise<void> {
  await queue.send({ type: "change", articleId: change.articleId, seq: change.seq });
}

/** What one delivery needs besides its message: the two stores, the keyring, and how to draw a change's image. */
export interface Deliverer {
  env: Env;
  store: RedlineStore;
  subscriptions: SubscriptionStore;
  keyring: Keyring | null;
  renderImage: (change: ChangeRecord) => Promise<RedlineImage | null>;
}

/** A request's deliverer reuses its tracker's stores (one read of the DB binding a request); a queue consumer builds its own. */
export async function delivererFor(
  env: Env,
  { store, subscriptions }: Pick<Deliverer, "store" | "subscriptions"> = { store: new RedlineStore(env.DB, env.REDLINE_KV), subscriptions: new SubscriptionStore(env.DB, env.REDLINE_KV) },
): Promise<Deliverer> {
  return {
    env,
    store,
    subscriptions,
    keyring: await keyringFrom(env),
    // Drawn only when a channel carries the image (Mastodon, Bluesky, Discord, email; Slack where it can fetch it); never for a link.
    renderImage: (change) => changeImage(store, change),
  };
}

type SecretOrProblem = { secret: unknown } | { result: DeliveryResult };

/**
 * The subscription's secret in the clear. A value sealed under SECRETS_KEY_PREVIOUS is sealed
 * again under SECRETS_KEY (a rotation completes as deliveries happen); a pre-0008 plaintext
 * webhook secret is sealed as soon as a key is configured.
 */
export async function secretOf(deliverer: Deliverer, subscription: StoredSubscription): Promise<SecretOrProblem> {
  const { keyring, subscriptions } = deliverer;
  if (subscription.sealedSecret !== null) {
    // Not for good: the deliveries go out once the operator sets the key.
    if (!keyring) return { result: { outcome: "retry", reason: "The secret is sealed and the SECRETS_KEY secret is not configured on this Worker." } };
    let plaintext: string;
    try {
      plaintext = await open(keyring, subscription.id, subscription.sealedSecret);
    } catch (error) {
      if (error instanceof SealedSecretError) return { result: { outcome: "failed", reason: error.message } };
      throw error;
    }
    if (sealedKeyId(subscription.sealedSecret) !== keyring.current.id) {
      await subscriptions.replaceSecret(subscription.id, subscription, await seal(keyring, subscription.id, plaintext));
    }
    return { secret: JSON.parse(plaintext) };
  }
  if (subscription.plainSecret !== null) {
    await sealPlainSecret(deliverer, subscription);
    return { secret: subscription.plainSecret };
  }
  return { secret: null };
}

/** A pre-0008 plaintext secret sealed, if a key is configured (one row written, once). */
async function sealPlainSecret({ keyring, subscriptions }: Deliverer, subscription: StoredSubscription): Promise<void> {
  if (!keyring || subscription.plainSecret === null) return;
  await subscriptions.replaceSecret(subscription.id, subscription, await seal(keyring, subscription.id, JSON.stringify(subscription.plainSecret)));
}

/** A queued delivery's id, `<change id>/<subscription id>`: the notice's deliveryId and the ledger's key. */
export const deliveryIdOf = (body: { subscriptionId: string; articleId: string; seq: number }): string => `${body.articleId}-${body.seq}/${body.subscriptionId}`;

/** The notice of `change` for `subscription`; `deliveryId` defaults to the queue's, stable across retries. */
export function noticeFor(
  deliverer: Deliverer,
  subscription: StoredSubscription,
  change: ChangeRecord,
  deliveryId = deliveryIdOf({ subscriptionId: subscription.id, articleId: change.articleId, seq: change.seq }),
): EditNotice {
  return editNotice(deliveryId, subscription.origin, change, () => deliverer.renderImage(change));
}

/**
 * One attempt of one channel: `deliver`, or `poll` with the state its `pending` asked for. A
 * type this deploy has no channel for, or a poll for a channel that never answers pending, fails
 * for good: retrying the same code cannot help.
 */
export async function attempt(deliverer: Deliverer, subscription: StoredSubscription, notice: EditNotice, state: Record<string, unknown> | null): Promise<DeliveryResult> {
  const channel = channelOf(subscription.type);
  if (!channel) return { outcome: "failed", reason: `This deploy has no ${subscription.type} channel.` };
  const opened = await secretOf(deliverer, subscription);
  if ("result" in opened) return opened.result;
  const context = channelContext(deliverer.env, Date.now());
  const { poll } = channel;
  if (state === null) return settle(() => channel.deliver(notice, subscription.config, opened.secret, context));
  if (!poll) return { outcome: "failed", reason: `The ${subscription.type} channel has nothing to poll.` };
  return settle(() => poll.call(channel, notice, state, subscription.config, opened.secret, context));
}

export async function handleWebhookBatch(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const deliverer = await delivererFor(env);
  for (const message of batch.messages) {
    try {
      if (message.body.type === "change") {
        await fanOut(deliverer, message.body);
        message.ack();
        continue;
      }
      const { body } = message;
      const deliveryId = deliveryIdOf(body);
      const [found, change] = await Promise.all([deliverer.subscriptions.getForDelivery(body.subscriptionId, deliveryId), deliverer.store.getChange(body.articleId, body.seq)]);
      // Deleted since: there is no one left to tell, or nothing to tell. Delivered already (this
      // message again after a lost ack, or a poll of a delivery a redelivery finished): told.
      if (!found || !change || found.delivered) {
        message.ack();
        continue;
      }
      const { subscription } = found;
      const result = await attempt(deliverer, subscription, noticeFor(deliverer, subscription, change, deliveryId), body.type === "poll" ? body.state : null);
      await act(deliverer, message, body, result);
    } catch (error) {
      // A store or queue error: the whole message again later, as any transient failure.
      console.error(JSON.stringify({ event: "channel-delivery-error", message: message.id, error: String(error) }));
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

type DeliveryMessage = Exclude<WebhookMessage, { type: "change" }>;

async function act(deliverer: Deliverer, message: Message<WebhookMessage>, body: DeliveryMessage, result: DeliveryResult): Promise<void> {
  const subject = `change ${body.articleId}-${body.seq} to subscription ${body.subscriptionId}`;
  switch (result.outcome) {
    case "delivered":
      await record(deliverer, body, result.receipt ?? null);
      message.ack();
      return;
    case "pending": {
      const queue = deliverer.env.WEBHOOKS;
      if (!queue) throw new Error("The WEBHOOKS queue binding is missing: a pending delivery cannot be polled.");
      const poll: WebhookMessage = { type: "poll", subscriptionId: body.subscriptionId, articleId: body.articleId, seq: body.seq, state: result.state };
      await queue.send(poll, { delaySeconds: Math.min(Math.max(Math.ceil(result.afterSeconds), 0), QUEUE_MAX_DELAY_SECONDS) });
      message.ack();
      return;
    }
    case "retry": {
      const delaySeconds = result.retryAfterSeconds === undefined ? retryDelaySeconds(message.attempts) : Math.min(result.retryAfterSeconds, QUEUE_MAX_DELAY_SECONDS);
      console.warn(`redline: ${subject} retried in ${delaySeconds} s: ${quoteInput(result.reason)}`);
      message.retry({ delaySeconds });
      return;
    }
    case "failed":
      console.warn(`redline: ${subject} failed for good: ${quoteInput(result.reason)}`);
      await deliverer.subscriptions.recordDeadLetter(body.subscriptionId, { changeId: `${body.articleId}-${body.seq}`, at: new Date().toISOString(), reason: result.reason });
      message.ack();
      return;
  }
}

/**
 * The ledger row of a delivered change, before its ack. If the INSERT itself fails the message
 * is still acknowledged: the service has the post, and a retry would certainly post it again,
 * while a missing row only matters if this ack is lost too.
 */
async function record({ subscriptions }: Deliverer, body: DeliveryMessage, receipt: Record<string, unknown> | null): Promise<void> {
  const deliveryId = deliveryIdOf(body);
  try {
    await subscriptions.recordDelivery({ deliveryId, subscriptionId: body.subscriptionId, deliveredAtMs: Date.now(), receipt });
  } catch (error) {
    console.error(JSON.stringify({ event: "channel-ledger-error", delivery: deliveryId, error: String(error) }));
  }
}

/** `redline-webhooks-dlq`: deliveries and polls that exhausted their retries, counted on their subscription. */
export async function handleWebhookDeadLetters(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const subscriptions = new SubscriptionStore(env.DB, env.REDLINE_KV);
  for (const message of batch.messages) {
    const { body } = message;
    if (body.type !== "change") {
      await subscriptions.recordDeadLetter(body.subscriptionId, { changeId: `${body.articleId}-${body.seq}`, at: new Date().toISOString(), reason: "Retries exhausted." });
    }
    message.ack();
  }
}

/**
 * One delivery message per subscription that wants the change: its filters, and its channel's
 * own `wants`. Also seals any pre-0008 plaintext secret it reads, so every such row is sealed by
 * the first change recorded after SECRETS_KEY is set, delivered to it or not.
 */
async function fanOut(deliverer: Deliverer, { articleId, seq }: Extract<WebhookMessage, { type: "change" }>): Promise<void> {
  const { store, subscriptions, env } = deliverer;
  const change = await store.getChange(articleId, seq);
  if (!change || !env.WEBHOOKS) return;
  const all = await subscriptions.list();
  for (const subscription of all) await sealPlainSecret(deliverer, subscription);
  const foundBy = all.some((subscription) => subscription.filter.source !== null) ? await subscriptions.sourcesOf(articleId) : [];
  const deliveries: Array<MessageSendRequest<WebhookMessage>> = [];
  for (const subscription of all) {
    const channel = channelOf(subscription.type);
    if (!channel || !wantsChange(subscription.filter, subscription.createdAt, change, foundBy)) continue;
    if (channel.wants && !channel.wants(change)) continue;
    deliveries.push({ body: { type: "delivery", subscriptionId: subscription.id, articleId, seq } });
  }
  for (let start = 0; start < deliveries.length; start += SEND_BATCH_LIMIT) {
    await env.WEBHOOKS.sendBatch(deliveries.slice(start, start + SEND_BATCH_LIMIT));
  }
}
