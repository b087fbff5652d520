/**
 * The subscription operations the API (routes.ts) and the admin page (src/web/admin) share:
 * create a channel (validated by its type, the secret sealed before it is stored), and send a
 * test notice through the same attempt a queued delivery makes.
 */
import { problem } from "../api/problem";
import { channelOf, registeredTypes } from "./index";
import { invalidField } from "./fields";
import type { DeliveryResult, EditNotice } from "./model";
import { sampleNotice } from "./notice";
import { attempt, noticeFor, type Deliverer } from "./queue";
import { seal } from "./secrets";
import { filterFrom, publicView, type StoredSubscription, type SubscriptionView } from "./subscription";

/** The type a body asks for; a missing one is a webhook, as every subscription was before channels. */
function typeOf(body: Record<string, unknown>): string {
  const { type } = body;
  if (type === undefined || type === null || type === "") return "webhook";
  const types = registeredTypes();
  if (typeof type !== "string" || !(types as string[]).includes(type)) throw invalidField("type", `must be one of ${types.join(", ")}.`);
  return type;
}

export interface Created {
  view: SubscriptionView;
  /** A webhook's HMAC secret, shown this once: the subscriber needs it to verify signatures. Other secrets are the subscriber's own and never echoed. */
  secret?: string;
}

export async function createSubscription(deliverer: Deliverer, body: Record<string, unknown>, origin: string): Promise<Created> {
  const type = typeOf(body);
  const channel = channelOf(type)!;
  const { env } = deliverer;
  const { config, secret } = channel.parse(body, { allowLoopback: env.ALLOW_LOOPBACK === "true", env });
  const filter = filterFrom(body);
  if (filter.articleId !== null && !(await deliverer.store.getArticle(filter.articleId))) {
    throw problem(422, `No tracked article has the id ${filter.articleId}.`, undefined, { "invalid-params": [{ name: "articleId", reason: "is not a tracked article." }] });
  }
  const id = crypto.randomUUID();
  let sealedSecret: string | null = null;
  if (secret !== null && secret !== undefined) {
    if (!deliverer.keyring) throw problem(503, `A ${type} subscription has a secret, which is stored encrypted: the SECRETS_KEY secret is not configured on this Worker.`);
    sealedSecret = await seal(deliverer.keyring, id, JSON.stringify(secret));
  }
  const subscription: StoredSubscription = {
    id,
    type,
    config,
    filter,
    sealedSecret,
    plainSecret: null,
    createdAt: new Date().toISOString(),
    origin,
    deadLettered: 0,
    lastDeadLetter: null,
  };
  await deliverer.subscriptions.insert(subscription);
  const view = publicView(subscription, channel);
  return type === "webhook" ? { view, secret: secret as string } : { view };
}

/** How many recent changes a test send looks through for one that matches the subscription. */
const TEST_CANDIDATES = 50;

/**
 * The newest recorded change the subscription would have been sent (its filters and its
 * channel's `wants`, whenever detected), or null. One changes query, and for a source filter
 * it is the query's own; an article filter reads that article's changes only.
 */
async function newestMatching(deliverer: Deliverer, subscription: StoredSubscription): Promise<EditNotice | null> {
  const { store } = deliverer;
  const { filter } = subscription;
  const wanted = { kinds: filter.kinds, minSignificance: filter.minSignificance };
  const candidates =
    filter.articleId !== null
      ? (await store.listArticleChanges(filter.articleId, TEST_CANDIDATES, null, wanted)).items
      : (await store.listChanges({ limit: TEST_CANDIDATES, site: filter.site, source: filter.source, ...wanted })).items;
  const channel = channelOf(subscription.type);
  for (const item of candidates) {
    const [articleId, seq] = [item.articleId, Number(item.id.slice(item.articleId.length + 1))];
    const change = await store.getChange(articleId, seq);
    if (change && (!channel?.wants || channel.wants(change))) return noticeFor(deliverer, subscription, change, `${change.id}/${subscription.id}/test-${crypto.randomUUID()}`);
  }
  return null;
}

export interface TestSend {
  /** Which change was sent: a recorded one's id, or "sample". */
  sent: string;
  result: DeliveryResult;
}

/**
 * Sends one notice now, outside the queue: the newest matching change, or the labelled sample.
 * Its delivery id is new each time, so a service that drops repeated ids still shows each test.
 * A `pending` answer is reported, not polled: the test shows the service accepted the work.
 */
export async function testSend(deliverer: Deliverer, subscription: StoredSubscription): Promise<TestSend> {
  const notice = (await newestMatching(deliverer, subscription)) ?? sampleNotice(`sample/${subscription.id}/test-${crypto.randomUUID()}`, subscription.origin, Date.now());
  return { sent: notice.change.articleId === "sample" ? "sample" : notice.change.id, result: await attempt(deliverer, subscription, notice, null) };
}

/** A test send's failure as the API answers it: 502, the service's answer in `detail`, the outcome beside it. */
export function testFailure({ sent, result }: TestSend) {
  if (result.outcome !== "retry" && result.outcome !== "failed") return null;
  const extensions: Record<string, unknown> = { outcome: result.outcome, reason: result.reason, sent };
  if (result.outcome === "retry" && result.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = result.retryAfterSeconds;
  return problem(502, `The test notice was not delivered: ${result.reason}`, undefined, extensions);
}
