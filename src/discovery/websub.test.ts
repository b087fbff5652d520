import { describe, expect, it } from "vitest";
import {
  advertisedSubscription,
  answerVerification,
  callbackUrl,
  linksFromHeader,
  planRenewal,
  planSubscription,
  renewalTime,
  REQUESTED_LEASE_SECONDS,
  RETRY_AFTER_DENIAL_MS,
  subscriptionRequestBody,
  verifySignature,
  type WebSubSubscription,
} from "./websub";

const FEED = "https://en.yna.co.kr/RSS/news.xml";
const HUB = "https://pubsubhubbub.appspot.com/";
const CALLBACK = "https://redline.example/websub/0123456789abcdef";
const NOW = Date.parse("2026-12-01T00:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A source whose feed never advertised a hub. */
const NO_SUBSCRIPTION: WebSubSubscription = { hub: null, topic: null, callback: null, secret: null, state: null, leaseUntil: null, renewAt: null, error: null };

const subscribed = (fields: Partial<WebSubSubscription>): WebSubSubscription => ({
  ...NO_SUBSCRIPTION,
  hub: HUB,
  topic: FEED,
  callback: CALLBACK,
  secret: "s3cret",
  ...fields,
});

describe("Link headers", () => {
  it("gives the first hub and self link, resolved against the feed's URL", () => {
    const header = `<${HUB}>; rel="hub", <https://other-hub.example/>; rel=hub, </RSS/news.xml>; rel="self"`;
    expect(linksFromHeader(header, FEED)).toEqual({ hub: HUB, self: FEED });
  });

  it("reads a rel listing both relations, and only the first rel parameter of a link", () => {
    expect(linksFromHeader(`<${FEED}>; rel="self hub"`, FEED)).toEqual({ hub: FEED, self: FEED });
    expect(linksFromHeader(`<${HUB}>; rel="alternate"; rel="hub"`, FEED)).toEqual({ hub: null, self: null });
  });

  it("keeps a quoted comma or semicolon inside its parameter", () => {
    expect(linksFromHeader(`<${HUB}>; title="a, b; c"; rel="hub"`, FEED)).toEqual({ hub: HUB, self: null });
  });

  it("skips links to other schemes and malformed links instead of failing", () => {
    expect(linksFromHeader(`<javascript:alert(1)>; rel="hub", garbage; rel=hub, <http://[::1>; rel="self"`, FEED)).toEqual({ hub: null, self: null });
    expect(linksFromHeader(null, FEED)).toEqual({ hub: null, self: null });
  });
});

describe("the hub and topic a feed advertises", () => {
  it("prefers the HTTP Link header to the feed's own links", () => {
    const linkHeader = `<https://header-hub.example/>; rel="hub", <https://en.yna.co.kr/feed-self>; rel="self"`;
    expect(advertisedSubscription(FEED, { hub: HUB, self: FEED, linkHeader })).toEqual({ hub: "https://header-hub.example/", topic: "https://en.yna.co.kr/feed-self" });
  });

  it("takes the feed's links, resolved, when the header names no hub", () => {
    expect(advertisedSubscription(FEED, { hub: "/hub", self: "/RSS/self.xml", linkHeader: null })).toEqual({
      hub: "https://en.yna.co.kr/hub",
      topic: "https://en.yna.co.kr/RSS/self.xml",
    });
  });

  it("subscribes to the source's own URL when the feed names no self", () => {
    expect(advertisedSubscription(FEED, { hub: HUB, self: null })).toEqual({ hub: HUB, topic: FEED });
  });

  it("is null when no hub is advertised, or only one of another scheme", () => {
    expect(advertisedSubscription(FEED, { hub: null, self: FEED })).toBeNull();
    expect(advertisedSubscription(FEED, { hub: "ftp://hub.example/", self: null })).toBeNull();
  });
});

describe("the callback URL", () => {
  it("is the public origin's /websub/<source id>, whatever path the setting carries", () => {
    expect(callbackUrl("https://redline.example/", "0123456789abcdef")).toBe(CALLBACK);
    expect(callbackUrl("https://redline.example/some/path?q=1", "0123456789abcdef")).toBe(CALLBACK);
  });

  it("is null without a usable http(s) origin", () => {
    expect(callbackUrl(undefined, "0123456789abcdef")).toBeNull();
    expect(callbackUrl("", "0123456789abcdef")).toBeNull();
    expect(callbackUrl("redline.example", "0123456789abcdef")).toBeNull();
    expect(callbackUrl("ftp://redline.example", "0123456789abcdef")).toBeNull();
  });
});

describe("planning a subscription request", () => {
  const advertised = { hub: HUB, topic: FEED };

  it("asks nothing of a feed without a hub", () => {
    expect(planSubscription(NO_SUBSCRIPTION, null, CALLBACK, NOW)).toEqual({ kind: "none" });
  });

  it("subscribes with a fresh secret when the source has no subscription", () => {
    expect(planSubscription(NO_SUBSCRIPTION, advertised, CALLBACK, NOW)).toEqual({ kind: "subscribe", hub: HUB, topic: FEED, callback: CALLBACK, freshSecret: true });
  });

  it("subscribes anew, with a fresh secret, when the hub, the topic or the callback changed", () => {
    const fresh = { kind: "subscribe", hub: HUB, topic: FEED, callback: CALLBACK, freshSecret: true };
    const verified = { state: "verified" as const, renewAt: NOW + DAY };
    expect(planSubscription(subscribed({ ...verified, hub: "https://old-hub.example/" }), advertised, CALLBACK, NOW)).toEqual(fresh);
    expect(planSubscription(subscribed({ ...verified, topic: "https://en.yna.co.kr/old.xml" }), advertised, CALLBACK, NOW)).toEqual(fresh);
    expect(planSubscription(subscribed({ ...verified, callback: "https://old.example/websub/0123456789abcdef" }), advertised, CALLBACK, NOW)).toEqual(fresh);
  });

  it("asks nothing while a pending, verified, failed or denied subscription waits for its time", () => {
    for (const state of ["pending", "verified", "failed", "denied"] as const) {
      expect(planSubscription(subscribed({ state, renewAt: NOW + 1 }), advertised, CALLBACK, NOW)).toEqual({ kind: "none" });
    }
  });

  it("renews or retries, keeping the secret, once its time has come", () => {
    const keep = { kind: "subscribe", hub: HUB, topic: FEED, callback: CALLBACK, freshSecret: false };
    for (const state of ["pending", "verified", "failed", "denied"] as const) {
      expect(planSubscription(subscribed({ state, renewAt: NOW }), advertised, CALLBACK, NOW)).toEqual(keep);
    }
  });

  it("subscribes again, keeping the secret, when a paused source's dropped subscription is advertised again", () => {
    expect(planSubscription(subscribed({ state: null }), advertised, CALLBACK, NOW)).toEqual({ kind: "subscribe", hub: HUB, topic: FEED, callback: CALLBACK, freshSecret: false });
  });

  it("records not-configured without a callback, once", () => {
    expect(planSubscription(NO_SUBSCRIPTION, advertised, null, NOW)).toEqual({ kind: "not-configured", hub: HUB, topic: FEED });
    const recorded = { ...NO_SUBSCRIPTION, hub: HUB, topic: FEED, state: "not-configured" as const };
    expect(planSubscription(recorded, advertised, null, NOW)).toEqual({ kind: "none" });
    expect(planSubscription(recorded, advertised, CALLBACK, NOW)).toEqual({ kind: "subscribe", hub: HUB, topic: FEED, callback: CALLBACK, freshSecret: true });
  });

  it("renews from the cron only what is due, at the stored hub and topic", () => {
    expect(planRenewal(subscribed({ state: "verified", renewAt: NOW + 1 }), CALLBACK, NOW)).toEqual({ kind: "none" });
    expect(planRenewal(subscribed({ state: "verified", renewAt: NOW }), CALLBACK, NOW)).toEqual({ kind: "subscribe", hub: HUB, topic: FEED, callback: CALLBACK, freshSecret: false });
    expect(planRenewal(subscribed({ state: "verified", renewAt: NOW }), null, NOW)).toEqual({ kind: "not-configured", hub: HUB, topic: FEED });
  });
});

describe("the subscription request", () => {
  it("is the form WebSub §5.1 names, every value encoded", () => {
    expect(subscriptionRequestBody({ topic: "https://feed.example/a?b=c&d", callback: CALLBACK, secret: "s3cret", leaseSeconds: 864000 })).toBe(
      "hub.mode=subscribe&hub.topic=https%3A%2F%2Ffeed.example%2Fa%3Fb%3Dc%26d&hub.callback=https%3A%2F%2Fredline.example%2Fwebsub%2F0123456789abcdef&hub.secret=s3cret&hub.lease_seconds=864000",
    );
  });
});

describe("renewal times", () => {
  it("renews a lease a tenth before it ends, at most a day and at least half an hour before", () => {
    expect(renewalTime(NOW, 10 * 24 * 3600)).toBe(NOW + 9 * DAY);
    expect(renewalTime(NOW, 100 * 24 * 3600)).toBe(NOW + 99 * DAY);
    expect(renewalTime(NOW, 3 * 24 * 3600)).toBe(NOW + 3 * DAY - 0.3 * DAY);
    expect(renewalTime(NOW, 3600)).toBe(NOW + HOUR / 2);
  });

  it("never renews sooner than a cron tick from now, however short the lease", () => {
    expect(renewalTime(NOW, 300)).toBe(NOW + 15 * 60_000);
  });
});

describe("verification of intent", () => {
  const query = (fields: Record<string, string>) => new URLSearchParams(fields);
  const intent = { "hub.mode": "subscribe", "hub.topic": FEED, "hub.challenge": "c4ll3ng3", "hub.lease_seconds": "86400" };

  it("confirms the pending subscription to exactly that topic, with the granted lease", () => {
    expect(answerVerification(subscribed({ state: "pending" }), query(intent), NOW)).toEqual({
      kind: "confirm",
      topic: FEED,
      challenge: "c4ll3ng3",
      leaseUntil: NOW + DAY,
      renewAt: renewalTime(NOW, 86400),
    });
  });

  it("confirms a renewal of a verified subscription", () => {
    expect(answerVerification(subscribed({ state: "verified" }), query(intent), NOW).kind).toBe("confirm");
  });

  it("keeps a longer lease than requested only up to the requested one, and a missing one as requested", () => {
    const long = answerVerification(subscribed({ state: "pending" }), query({ ...intent, "hub.lease_seconds": "99999999" }), NOW);
    expect(long).toMatchObject({ kind: "confirm", leaseUntil: NOW + REQUESTED_LEASE_SECONDS * 1000 });
    const { "hub.lease_seconds": _lease, ...without } = intent;
    expect(answerVerification(subscribed({ state: "pending" }), query(without), NOW)).toMatchObject({ kind: "confirm", leaseUntil: NOW + REQUESTED_LEASE_SECONDS * 1000 });
  });

  it("refuses another topic, an unsubscription Redline never asked for, and a subscription not pending", () => {
    const notPending = { kind: "refuse", status: 404, detail: "No subscription to this topic is pending here." };
    expect(answerVerification(subscribed({ state: "pending" }), query({ ...intent, "hub.topic": `${FEED}?x` }), NOW)).toEqual(notPending);
    expect(answerVerification(subscribed({ state: "pending" }), query({ ...intent, "hub.mode": "unsubscribe" }), NOW)).toEqual({
      kind: "refuse",
      status: 404,
      detail: "Redline did not ask for hub.mode=unsubscribe.",
    });
    for (const state of [null, "failed", "denied", "not-configured"] as const) {
      expect(answerVerification(subscribed({ state }), query(intent), NOW)).toEqual(notPending);
    }
  });

  it("refuses a verification without its parameters, a challenge or a sound lease", () => {
    expect(answerVerification(subscribed({ state: "pending" }), query({ "hub.topic": FEED }), NOW)).toMatchObject({ kind: "refuse", status: 400 });
    expect(answerVerification(subscribed({ state: "pending" }), query({ ...intent, "hub.challenge": "" }), NOW)).toMatchObject({ kind: "refuse", status: 400 });
    expect(answerVerification(subscribed({ state: "pending" }), query({ ...intent, "hub.challenge": "x".repeat(1025) }), NOW)).toMatchObject({ kind: "refuse", status: 400 });
    for (const lease of ["0", "-5", "1e9", "ten"]) {
      expect(answerVerification(subscribed({ state: "pending" }), query({ ...intent, "hub.lease_seconds": lease }), NOW)).toMatchObject({ kind: "refuse", status: 400 });
    }
  });

  it("records a denial of the subscription to its topic with the hub's reason, retried a day later", () => {
    const denial = { "hub.mode": "denied", "hub.topic": FEED, "hub.reason": "topic not found" };
    expect(answerVerification(subscribed({ state: "pending" }), query(denial), NOW)).toEqual({
      kind: "denied",
      topic: FEED,
      reason: "the hub denied the subscription: topic not found",
      renewAt: NOW + RETRY_AFTER_DENIAL_MS,
    });
    expect(answerVerification(subscribed({ state: "pending" }), query({ ...denial, "hub.topic": "https://elsewhere.example/" }), NOW)).toMatchObject({ kind: "refuse", status: 404 });
  });
});

describe("notification signatures", () => {
  // RFC 2202 and RFC 4231, test case 2: key "Jefe".
  const body = new TextEncoder().encode("what do ya want for nothing?");
  const vectors = {
    sha1: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    sha384: "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
    sha512: "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  };

  it("accepts the HMAC of the body under the secret with each method WebSub names", async () => {
    for (const [method, hex] of Object.entries(vectors)) {
      expect(await verifySignature("Jefe", `${method}=${hex}`, body)).toBe(true);
    }
  });

  it("refuses another secret, another body, a missing or malformed header and unknown methods", async () => {
    expect(await verifySignature("jefe", `sha256=${vectors.sha256}`, body)).toBe(false);
    expect(await verifySignature("Jefe", `sha256=${vectors.sha256}`, new TextEncoder().encode("what do ya want for nothing!"))).toBe(false);
    expect(await verifySignature("Jefe", null, body)).toBe(false);
    expect(await verifySignature("Jefe", vectors.sha256, body)).toBe(false);
    expect(await verifySignature("Jefe", `sha256=${vectors.sha256.slice(1)}`, body)).toBe(false);
    expect(await verifySignature("Jefe", `sha256=${vectors.sha1}`, body)).toBe(false);
    expect(await verifySignature("Jefe", `md5=750c783e6ab0b503eaa86e310a5db738`, body)).toBe(false);
  });
});
