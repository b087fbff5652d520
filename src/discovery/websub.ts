/**
 * WebSub (W3C Recommendation, https://www.w3.org/TR/websub/), the subscriber's pure side: which
 * hub and topic a feed advertises, whether to (re)subscribe, the subscription request, the
 * answer to a hub's verification of intent, and the signature of a notification. No KV, D1 or
 * HTTP here; src/discovery/websub-client.ts and src/api/websub.ts do the effects.
 */

/**
 * What a source's subscription is, as stored (the `sources.websub_*` columns):
 * `pending` (requested, the hub has not verified it yet), `verified` (the hub confirmed it; its
 * lease runs until `leaseUntil`), `denied` (the hub refused it; `error` holds its `hub.reason`),
 * `failed` (the request never reached a hub that accepted it: a refused hub URL, a non-2xx, a
 * network error), `not-configured` (the feed advertises a hub, but without PUBLIC_ORIGIN no hub
 * could reach this Worker). Null: the feed never advertised one.
 */
export type WebSubState = "pending" | "verified" | "denied" | "failed" | "not-configured";

export interface WebSubSubscription {
  hub: string | null;
  topic: string | null;
  /** The `hub.callback` sent: `<PUBLIC_ORIGIN>/websub/<source id>`. */
  callback: string | null;
  /** The `hub.secret` sent; the HMAC key of notifications. Never shown by any API. */
  secret: string | null;
  state: WebSubState | null;
  /** Epoch ms the hub's lease ends (verified only). */
  leaseUntil: number | null;
  /** Epoch ms the next subscription request is due: a renewal, or a retry after a failure or denial. Null: none. */
  renewAt: number | null;
  /** Why the state is not `verified`: the hub's answer, its `hub.reason`, the refusal. */
  error: string | null;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** What Redline asks a hub for: 10 days, as many hubs grant by default. */
export const REQUESTED_LEASE_SECONDS = 10 * 24 * 60 * 60;
/** A request the hub accepted but never verified, or one that failed, is sent again after this. */
export const RETRY_AFTER_FAILURE_MS = 6 * HOUR_MS;
/** A denial (`hub.mode=denied`) is asked about again after this: a hub may change its mind, and a forged denial costs a day of pushes at most. */
export const RETRY_AFTER_DENIAL_MS = DAY_MS;
/** Two cron ticks: a renewal due at a tick is sent by the next one at the latest, inside its margin. */
const MIN_RENEWAL_MARGIN_MS = 30 * MINUTE_MS;
/** A hub's challenge is echoed only up to this length; hubs send short random strings. */
const MAX_CHALLENGE_LENGTH = 1024;

// -- discovery -------------------------------------------------------------------------------

export interface AdvertisedLinks {
  hub: string | null;
  self: string | null;
}

/**
 * The `rel="hub"` and `rel="self"` targets of an HTTP `Link` header (RFC 8288), resolved against
 * `baseUrl`: the first of each. Untrusted input, read leniently: a malformed link is skipped, not
 * an error (`test/link-header.ts` is the strict reader the Memento conformance tests use).
 */
export function linksFromHeader(header: string | null | undefined, baseUrl: string): AdvertisedLinks {
  const found: AdvertisedLinks = { hub: null, self: null };
  if (!header) return found;
  // `<uri>` then `;`-separated parameters up to the next link; a quoted value may hold `,` or `;`.
  const link = /<([^>]*)>((?:\s*;\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*(?:=\s*(?:"(?:[^"\\]|\\.)*"|[^",;]*))?)*)/g;
  const parameter = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^",;]*)))?/g;
  for (const [, uri, parameters] of header.matchAll(link)) {
    let rels: string[] = [];
    for (const [, name, quoted, token] of parameters!.matchAll(parameter)) {
      // RFC 8288 §3.3: only the first rel parameter of a link counts.
      if (name!.toLowerCase() === "rel" && rels.length === 0) {
        rels = (quoted?.replace(/\\(.)/g, "$1") ?? token ?? "").trim().toLowerCase().split(/\s+/);
      }
    }
    const target = absoluteHttpUrl(uri!, baseUrl);
    if (target === null) continue;
    if (rels.includes("hub")) found.hub ??= target;
    if (rels.includes("self")) found.self ??= target;
  }
  return found;
}

function absoluteHttpUrl(value: string, baseUrl: string): string | null {
  try {
    const url = new URL(value.trim(), baseUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** What one read of a feed says about WebSub: the parsed body's links, and the response's `Link` header. */
export interface WebSubDiscovery {
  hub: string | null;
  self: string | null;
  linkHeader?: string | null;
}

/**
 * The hub to subscribe at and the topic to subscribe to, or null when the feed names no hub.
 * The HTTP `Link` header comes first (WebSub §4: publishers MUST send it, MAY repeat it in the
 * body); the topic is the advertised `self`, else the source's own URL.
 */
export function advertisedSubscription(sourceUrl: string, discovery: WebSubDiscovery): { hub: string; topic: string } | null {
  const header = linksFromHeader(discovery.linkHeader, sourceUrl);
  const hub = header.hub ?? (discovery.hub === null ? null : absoluteHttpUrl(discovery.hub, sourceUrl));
  if (hub === null) return null;
  const self = header.self ?? (discovery.self === null ? null : absoluteHttpUrl(discovery.self, sourceUrl));
  return { hub, topic: self ?? sourceUrl };
}

// -- planning ------------------------------------------------------------------------------

/** The callback a hub verifies and notifies, or null when PUBLIC_ORIGIN is unset or not an http(s) URL. */
export function callbackUrl(publicOrigin: string | null | undefined, sourceId: string): string | null {
  if (!publicOrigin) return null;
  let origin: URL;
  try {
    origin = new URL(publicOrigin.trim());
  } catch {
    return null;
  }
  if (origin.protocol !== "http:" && origin.protocol !== "https:") return null;
  return `${origin.origin}/websub/${encodeURIComponent(sourceId)}`;
}

export type SubscriptionPlan =
  | { kind: "none" }
  /** Record that a hub is advertised but cannot be used; no request. */
  | { kind: "not-configured"; hub: string; topic: string }
  /** Send `hub.mode=subscribe`; `freshSecret`: a new subscription (hub, topic or callback changed), else a renewal or retry keeping the secret. */
  | { kind: "subscribe"; hub: string; topic: string; callback: string; freshSecret: boolean };

export const NOT_CONFIGURED_ERROR = "PUBLIC_ORIGIN is not set to this Worker's http(s) origin, so no hub could reach its callback; the source is polled only";

/**
 * Whether a source check that found `advertised` should ask the hub for anything: at most one
 * request per check, and none while a subscription to the same hub, topic and callback is
 * pending, verified or backing off until its `renewAt`.
 */
export function planSubscription(
  current: WebSubSubscription,
  advertised: { hub: string; topic: string } | null,
  callback: string | null,
  nowMs: number,
): SubscriptionPlan {
  if (advertised === null) return { kind: "none" };
  const { hub, topic } = advertised;
  const sameTarget = current.hub === hub && current.topic === topic;
  if (callback === null) return sameTarget && current.state === "not-configured" ? { kind: "none" } : { kind: "not-configured", hub, topic };
  const sameSubscription = sameTarget && current.callback === callback && current.secret !== null;
  if (!sameSubscription || current.state === null || current.state === "not-configured") {
    return { kind: "subscribe", hub, topic, callback, freshSecret: !sameSubscription };
  }
  if (current.renewAt !== null && current.renewAt <= nowMs) return { kind: "subscribe", hub, topic, callback, freshSecret: false };
  return { kind: "none" };
}

/** A subscription that is due (`renewAt` passed), as the cron renews it: the same hub and topic, the callback of now. */
export function planRenewal(current: WebSubSubscription, callback: string | null, nowMs: number): SubscriptionPlan {
  if (current.hub === null || current.topic === null || current.renewAt === null || current.renewAt > nowMs) return { kind: "none" };
  return planSubscription(current, { hub: current.hub, topic: current.topic }, callback, nowMs);
}

/** The `application/x-www-form-urlencoded` body of a subscription request (WebSub §5.1). */
export function subscriptionRequestBody(request: { topic: string; callback: string; secret: string; leaseSeconds: number }): string {
  return new URLSearchParams({
    "hub.mode": "subscribe",
    "hub.topic": request.topic,
    "hub.callback": request.callback,
    "hub.secret": request.secret,
    "hub.lease_seconds": String(request.leaseSeconds),
  }).toString();
}

/**
 * When to renew a lease granted at `nowMs` for `leaseSeconds`: a tenth of the lease before it
 * ends, at most a day and at least two cron ticks before, and never sooner than a tick from now.
 */
export function renewalTime(nowMs: number, leaseSeconds: number): number {
  const leaseMs = leaseSeconds * 1000;
  const margin = Math.min(DAY_MS, Math.max(leaseMs / 10, MIN_RENEWAL_MARGIN_MS));
  return Math.max(nowMs + 15 * MINUTE_MS, nowMs + leaseMs - margin);
}

// -- verification of intent ------------------------------------------------------------------

export type VerificationAnswer =
  /** 200 with the challenge as text/plain; the subscription becomes `verified`. */
  | { kind: "confirm"; topic: string; challenge: string; leaseUntil: number; renewAt: number }
  /** 200; the subscription becomes `denied` with the hub's reason. */
  | { kind: "denied"; topic: string; reason: string; renewAt: number }
  /** No such intent: the status to answer, and why (never the challenge). */
  | { kind: "refuse"; status: 400 | 404; detail: string };

/**
 * The answer to a hub's GET on the callback (WebSub §5.3, §5.2): confirm only a subscription
 * Redline asked for — the same topic, `hub.mode=subscribe` (Redline never asks to unsubscribe),
 * while pending, or verified (a renewal). The granted lease is kept up to the requested one: a
 * longer grant only makes Redline renew early, and a forged verification cannot stop renewals.
 */
export function answerVerification(current: WebSubSubscription, query: URLSearchParams, nowMs: number): VerificationAnswer {
  const mode = query.get("hub.mode");
  const topic = query.get("hub.topic");
  if (mode === null || topic === null) return { kind: "refuse", status: 400, detail: "A verification names hub.mode and hub.topic." };
  const ours = current.topic === topic && (current.state === "pending" || current.state === "verified");
  if (mode === "denied") {
    if (!ours) return { kind: "refuse", status: 404, detail: "No subscription to this topic is pending here." };
    const reason = query.get("hub.reason")?.trim();
    return { kind: "denied", topic, reason: reason ? `the hub denied the subscription: ${reason}` : "the hub denied the subscription", renewAt: nowMs + RETRY_AFTER_DENIAL_MS };
  }
  if (mode !== "subscribe") return { kind: "refuse", status: 404, detail: `Redline did not ask for hub.mode=${mode}.` };
  if (!ours) return { kind: "refuse", status: 404, detail: "No subscription to this topic is pending here." };
  const challenge = query.get("hub.challenge");
  if (!challenge || challenge.length > MAX_CHALLENGE_LENGTH) {
    return { kind: "refuse", status: 400, detail: `A verification carries a hub.challenge of 1 to ${MAX_CHALLENGE_LENGTH} characters.` };
  }
  const leaseText = query.get("hub.lease_seconds");
  const lease = leaseText === null ? REQUESTED_LEASE_SECONDS : /^\d{1,10}$/.test(leaseText) ? Number(leaseText) : Number.NaN;
  if (!(lease > 0)) return { kind: "refuse", status: 400, detail: "hub.lease_seconds is a positive whole number of seconds." };
  const granted = Math.min(lease, REQUESTED_LEASE_SECONDS);
  return { kind: "confirm", topic, challenge, leaseUntil: nowMs + granted * 1000, renewAt: renewalTime(nowMs, granted) };
}

// -- notifications -------------------------------------------------------------------------

/** The algorithms a hub may sign with (WebSub §8). */
const SIGNATURE_HASHES: Record<string, string> = { sha1: "SHA-1", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };

function hexBytes(hex: string): Uint8Array | null {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g)!, (pair) => Number.parseInt(pair, 16));
}

/**
 * Whether `header` (`X-Hub-Signature: <method>=<hex>`) is the HMAC of `body` under `secret`.
 * `crypto.subtle.verify` compares in constant time; an unknown method or malformed hex is false.
 */
export async function verifySignature(secret: string, header: string | null | undefined, body: Uint8Array): Promise<boolean> {
  const match = /^\s*([a-z0-9]+)=([0-9a-fA-F]+)\s*$/.exec(header ?? "");
  const hash = match ? SIGNATURE_HASHES[match[1]!] : undefined;
  const signature = match ? hexBytes(match[2]!) : null;
  if (!hash || !signature) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", key, signature, body);
}
