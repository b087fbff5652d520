/**
 * WebSub, the subscriber's requests to hubs: subscribing when a source check finds a hub
 * (`ensureWebSub`) and renewing leases from the cron (`renewWebSubLeases`). What to ask and when
 * is decided in src/discovery/websub.ts; this module only reads the subscription, claims the
 * request, POSTs it, and records a failure.
 */
import type { Env } from "../env";
import { readBody, USER_AGENT } from "../fetching/fetch-page";
import { overlongUrl, refusalReason } from "../fetching/url";
import { quoteInput } from "../quote";
import {
  claimSubscriptionRequest,
  dueWebSubSources,
  forgetSubscription,
  readWebSubSource,
  recordNotConfigured,
  recordSubscriptionFailure,
  type WebSubSource,
} from "../storage/websub";
import { newSecret } from "../channels/webhook";
import {
  advertisedSubscription,
  callbackUrl,
  NOT_CONFIGURED_ERROR,
  planRenewal,
  planSubscription,
  REQUESTED_LEASE_SECONDS,
  RETRY_AFTER_FAILURE_MS,
  subscriptionRequestBody,
  type SubscriptionPlan,
  type WebSubDiscovery,
} from "./websub";

/** A hub gets this long to answer a subscription request. */
const HUB_TIMEOUT_MS = 10_000;
/** Subscription requests one cron tick sends at most: each is a subrequest and 1–2 D1 statements, within the Free plan's 50 beside the dispatcher's 7. */
export const RENEWALS_PER_TICK = 10;
/** A hub's error answer is quoted in `websub_error` up to this many bytes. */
const HUB_ANSWER_BYTES = 500;

/**
 * After a source check read a feed: subscribes at the hub it advertises (the parsed body's
 * `hub`/`self`, or the response's `Link` header) when the source is not subscribed to it yet,
 * the hub, topic or callback changed, or a renewal or retry is due — one request at most, none
 * when nothing changed. Without PUBLIC_ORIGIN the source is marked `not-configured` instead.
 * A hub that refuses or cannot be reached leaves the source `failed` with why; it never fails the check.
 */
export async function ensureWebSub(env: Env, source: { id: string; url: string }, discovery: WebSubDiscovery, nowMs: number): Promise<void> {
  const advertised = advertisedSubscription(source.url, discovery);
  if (advertised === null) return;
  try {
    const current = await readWebSubSource(env.DB, source.id);
    if (current === null) return;
    const plan = planSubscription(current.subscription, advertised, callbackUrl(env.PUBLIC_ORIGIN, source.id), nowMs);
    await carryOut(env, current, plan, nowMs);
  } catch (error) {
    // Pushes only hasten checks the schedule makes anyway: a storage error here must not fail the source check
    // that has read the feed. Whatever was not written is planned again at the next check.
    console.error(JSON.stringify({ event: "websub-error", sourceId: source.id, error: String(error) }));
  }
}

/**
 * The cron's renewals: the subscriptions whose `renewAt` has passed (a lease about to end, a
 * request the hub never verified, a failure or denial to retry), soonest first, at most
 * {@link RENEWALS_PER_TICK}; the rest wait for the next tick. A paused source's subscription is
 * dropped instead of renewed.
 */
export async function renewWebSubLeases(env: Env, nowMs: number): Promise<void> {
  for (const source of await dueWebSubSources(env.DB, nowMs, RENEWALS_PER_TICK)) {
    if (source.status === "paused") {
      await forgetSubscription(env.DB, source.id);
      continue;
    }
    await carryOut(env, source, planRenewal(source.subscription, callbackUrl(env.PUBLIC_ORIGIN, source.id), nowMs), nowMs);
  }
}

/** Claims and sends the planned request (a failure recorded on the source), or records not-configured. */
async function carryOut(env: Env, source: WebSubSource, plan: SubscriptionPlan, nowMs: number): Promise<void> {
  if (plan.kind === "none") return;
  const read = source.subscription;
  if (plan.kind === "not-configured") {
    await recordNotConfigured(env.DB, source.id, read, plan.hub, plan.topic, NOT_CONFIGURED_ERROR);
    return;
  }
  const secret = plan.freshSecret || read.secret === null ? newSecret() : read.secret;
  const claim = { secret, renewAt: nowMs + RETRY_AFTER_FAILURE_MS };
  const claimed = await claimSubscriptionRequest(env.DB, source.id, read, { hub: plan.hub, topic: plan.topic, callback: plan.callback, secret, retryAt: claim.renewAt });
  if (!claimed) return;
  const body = subscriptionRequestBody({ topic: plan.topic, callback: plan.callback, secret, leaseSeconds: REQUESTED_LEASE_SECONDS });
  const refusal = refusalReason(plan.hub, env.ALLOW_LOOPBACK === "true") ?? overlongUrl(plan.hub);
  const error = refusal ? `the hub is not requested: ${refusal}` : await postToHub(plan.hub, body);
  if (error !== null) await recordSubscriptionFailure(env.DB, source.id, claim, error, claim.renewAt);
}

/** POSTs a subscription request; null when the hub accepted it (2xx), else why not. Redirects are not followed. */
async function postToHub(hub: string, body: string): Promise<string | null> {
  try {
    const response = await fetch(hub, {
      method: "POST",
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(HUB_TIMEOUT_MS),
      headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT },
    });
    if (response.ok) {
      await response.body?.cancel();
      return null;
    }
    const location = response.headers.get("Location");
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      return `the hub answered HTTP ${response.status}${location ? ` to ${quoteInput(location)}` : ""}; subscription requests do not follow redirects`;
    }
    const text = new TextDecoder().decode(await readBody(response.body, HUB_ANSWER_BYTES, "cut")).trim();
    return `the hub answered HTTP ${response.status}${text ? `: ${quoteInput(text)}` : ""}`;
  } catch (error) {
    return `the hub could not be reached: ${(error as Error).message}`;
  }
}
