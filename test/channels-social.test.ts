/**
 * Mastodon and Bluesky end to end: a subscription through the API, the Yonhap stealth edit
 * recorded by a real check of the replay fixtures, and the queue consumer delivering it to the
 * loopback fakes (test/fakes/mastodon.mjs, bluesky.mjs), which check each request as the
 * services document it. The queue is spied on as in test/webhooks.test.ts and each test hands
 * the messages to the consumer itself. Where a test needs the redline image or a fixed clock
 * (to read a rate limit's reset exactly), it calls the framework's `attempt` or the channel
 * with a small fixed PNG and `channelContext(env, FIXED_NOW)`.
 */
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { blueskyChannel, recordKey } from "../src/channels/bluesky";
import { channelContext } from "../src/channels/context";
import { mastodonChannel } from "../src/channels/mastodon";
import { attempt, delivererFor, noticeFor, type Deliverer } from "../src/channels/queue";
import { TINY_IMAGE } from "../src/channels/social-fixtures";
import type { RedlineImage } from "../src/channels/model";
import type { StoredSubscription } from "../src/channels/subscription";
import type { WebhookMessage } from "../src/queues/messages";
import type { ChangeRecord } from "../src/storage/records";
import { BLUESKY_ACCOUNT } from "./fakes/bluesky.mjs";
import { MASTODON_TOKENS } from "./fakes/mastodon.mjs";
import { command, runConsumer, useChannelBed } from "./channel-helpers";
import { api, check, SEED_URLS, serveTimelineEntry } from "./helpers";

declare module "vitest" {
  export interface ProvidedContext {
    mastodonFake: string;
    blueskyFake: string;
  }
}

const MASTODON = inject("mastodonFake");
const BLUESKY = inject("blueskyFake");
/** A clock for the tests that read a rate limit's reset time: the channel computes the wait from the context's nowMs. */
const FIXED_NOW = Date.parse("2026-05-01T12:00:00.000Z");

const bed = useChannelBed(() => Promise.all([command(MASTODON, "__mastodon", { reset: true }), command(BLUESKY, "__bluesky", { reset: true })]));
const queued = bed.queued;

/** Records the Yonhap stealth edit (change 2) through a check, and fans it out: the delivery messages it queued. */
async function recordEdit(): Promise<{ change: ChangeRecord; deliveries: WebhookMessage[] }> {
  await serveTimelineEntry(SEED_URLS.yonhap, 2);
  const checked = (await check(bed.articleId)).json;
  const announced = queued.splice(0);
  expect(announced).toEqual([{ type: "change", articleId: bed.articleId, seq: 2 }]);
  await runConsumer([{ id: "change", attempts: 1, body: announced[0]! }]);
  const change = (await (await delivererFor(env)).store.getChange(bed.articleId, checked.change.seq))!;
  return { change, deliveries: queued.splice(0) };
}

async function subscribe(body: Record<string, unknown>): Promise<StoredSubscription> {
  const created = await api("POST", "/api/subscriptions", { body: { articleId: bed.articleId, ...body } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return (await (await delivererFor(env)).subscriptions.get(created.json.id))!;
}

/**
 * The framework's deliverer with a fixed image: the small PNG, or none, so what a test asserts
 * does not depend on whether the consumer draws the redline image.
 */
async function delivererWith(image: RedlineImage | null): Promise<Deliverer> {
  return { ...(await delivererFor(env)), renderImage: async () => image };
}

/** The redline image the consumer draws for `change` (src/image through the framework). */
async function renderedImage(subscription: StoredSubscription, change: ChangeRecord): Promise<RedlineImage | null> {
  const deliverer = await delivererFor(env);
  return noticeFor(deliverer, subscription, change).image();
}

/** The post text both channels write for the seed edit, `link` as each shows it. */
const seedText = (change: ChangeRecord, link: string) => `en.yna.co.kr edited “${change.title}”\n${change.summary}\n(body, numbers-changed, stealth-edit)\n${link}`;
const redlineUrl = () => `http://redline.test/articles/${bed.articleId}/diff/1..2`;

describe("Mastodon", () => {
  const mastodon = (extra: Record<string, unknown> = {}) => subscribe({ type: "mastodon", instance: MASTODON, accessToken: MASTODON_TOKENS.good, visibility: "public", ...extra });

  it("delivers the seed edit through the consumer as one status with the redline image: bearer token, alt text, Idempotency-Key of the delivery, visibility, language, the redline link", async () => {
    const subscription = await mastodon();
    const { change, deliveries } = await recordEdit();
    expect(deliveries).toEqual([{ type: "delivery", subscriptionId: subscription.id, articleId: bed.articleId, seq: 2 }]);

    expect(await runConsumer([{ id: "delivery", attempts: 1, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["delivery"], retryMessages: [] });
    const fake = await command(MASTODON, "__mastodon");
    const image = (await renderedImage(subscription, change))!;
    const [upload, ...statusRequests] = fake.requests;
    expect(upload).toMatchObject({
      path: "/api/v2/media",
      authorization: `Bearer ${MASTODON_TOKENS.good}`,
      form: { file: { name: "redline.png", type: "image/png", size: image.png.byteLength }, description: image.alt },
    });
    expect(fake.media).toHaveLength(1);
    expect(statusRequests).toEqual([
      {
        method: "POST",
        path: "/api/v1/statuses",
        authorization: `Bearer ${MASTODON_TOKENS.good}`,
        idempotencyKey: `${change.id}/${subscription.id}`,
        contentType: "application/json",
        json: { status: seedText(change, redlineUrl()), media_ids: [fake.media[0].id], visibility: "public", language: "en" },
        form: null,
      },
    ]);
    expect(fake.statuses).toHaveLength(1);
  });

  it("uploads the redline PNG with its alt text, polls a 202's processing through pending, then posts the status with the media", async () => {
    const subscription = await mastodon();
    const { change } = await recordEdit();
    await command(MASTODON, "__mastodon", { processingPolls: 1 });
    const deliverer = await delivererWith(TINY_IMAGE);
    const notice = noticeFor(deliverer, subscription, change);

    const uploaded = await attempt(deliverer, subscription, notice, null);
    const [upload] = (await command(MASTODON, "__mastodon")).requests;
    expect(upload).toMatchObject({
      method: "POST",
      path: "/api/v2/media",
      authorization: `Bearer ${MASTODON_TOKENS.good}`,
      form: { fields: ["file", "description"], file: { name: "redline.png", type: "image/png", size: TINY_IMAGE.png.byteLength }, description: TINY_IMAGE.alt },
    });
    const mediaId = (await command(MASTODON, "__mastodon")).media[0].id;
    expect(uploaded).toEqual({ outcome: "pending", state: { mediaId, polls: 1 }, afterSeconds: 5 });

    const stillProcessing = await attempt(deliverer, subscription, notice, { mediaId, polls: 1 });
    expect(stillProcessing).toEqual({ outcome: "pending", state: { mediaId, polls: 2 }, afterSeconds: 10 });

    const posted = await attempt(deliverer, subscription, notice, { mediaId, polls: 2 });
    const fake = await command(MASTODON, "__mastodon");
    expect(fake.requests.map((request: { method: string; path: string }) => `${request.method} ${request.path}`)).toEqual([
      "POST /api/v2/media",
      `GET /api/v1/media/${mediaId}`,
      `GET /api/v1/media/${mediaId}`,
      "POST /api/v1/statuses",
    ]);
    expect(fake.statuses).toEqual([expect.objectContaining({ content: seedText(change, redlineUrl()), media_attachments: [expect.objectContaining({ id: mediaId, description: TINY_IMAGE.alt })] })]);
    expect(posted).toEqual({ outcome: "delivered", receipt: { statusId: fake.statuses[0].id, url: fake.statuses[0].url } });
  });

  it("never posts twice for one delivery: a repeated attempt sends the same Idempotency-Key and gets the first status back", async () => {
    const subscription = await mastodon();
    const { change, deliveries } = await recordEdit();
    await runConsumer([{ id: "first", attempts: 1, body: deliveries[0]! }]);
    // As after a crash between the instance's answer and the delivery ledger's INSERT (the one
    // window the ledger cannot close, test/deliveries.test.ts): the redelivery posts again.
    await env.DB.prepare("DELETE FROM deliveries WHERE delivery_id = ?").bind(`${change.id}/${subscription.id}`).run();
    await runConsumer([{ id: "again", attempts: 2, body: deliveries[0]! }]);
    const fake = await command(MASTODON, "__mastodon");
    const keys = fake.requests.filter((request: { path: string }) => request.path === "/api/v1/statuses").map((request: { idempotencyKey: string }) => request.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(fake.statuses).toHaveLength(1);
  });

  it("retries a 429 at X-RateLimit-Reset, and a 5xx with the queue's backoff, then posts once", async () => {
    const subscription = await mastodon();
    const { change, deliveries } = await recordEdit();
    const notice = noticeFor(await delivererFor(env), subscription, change);
    await command(MASTODON, "__mastodon", {
      answers: [{ method: "POST", path: "/api/v1/statuses", status: 429, json: { error: "Too many requests" }, headers: { "X-RateLimit-Reset": new Date(FIXED_NOW + 90_000).toISOString() } }],
    });
    expect(await mastodonChannel.deliver(notice, subscription.config as never, MASTODON_TOKENS.good, channelContext(env, FIXED_NOW))).toEqual({
      outcome: "retry",
      reason: "Mastodon (status) answered 429: Too many requests",
      retryAfterSeconds: 90,
    });

    // Mastodon sends X-RateLimit-Reset with every answer: a 5xx still takes the queue's backoff.
    const laterReset = { "X-RateLimit-Reset": new Date(Date.now() + 300_000).toISOString() };
    await command(MASTODON, "__mastodon", { answers: [{ method: "POST", path: "/api/v1/statuses", status: 503, json: { error: "Service Unavailable" }, headers: laterReset }] });
    expect(await runConsumer([{ id: "unavailable", attempts: 1, body: deliveries[0]! }])).toMatchObject({ retryMessages: [{ msgId: "unavailable" }], retryDelays: [30] });
    expect(await runConsumer([{ id: "recovered", attempts: 2, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["recovered"], retryMessages: [] });
    expect((await command(MASTODON, "__mastodon")).statuses).toHaveLength(1);
  });

  it("fails for good on a revoked token, a missing write:media scope and a refused status, counting the dead letter", async () => {
    const revoked = await mastodon({ accessToken: "revoked-token" });
    const { change, deliveries } = await recordEdit();
    expect(await runConsumer([{ id: "revoked", attempts: 1, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["revoked"], retryMessages: [] });
    const view = (await api("GET", `/api/subscriptions/${revoked.id}`)).json;
    expect(view).toMatchObject({ deadLettered: 1, lastDeadLetter: { changeId: change.id, reason: "Mastodon (media upload) answered 401: The access token is invalid" } });

    const deliverer = await delivererWith(TINY_IMAGE);
    const postOnly = await mastodon({ accessToken: MASTODON_TOKENS.statusesOnly });
    expect(await attempt(deliverer, postOnly, noticeFor(deliverer, postOnly, change), null)).toEqual({
      outcome: "failed",
      reason: "Mastodon (media upload) answered 403: This action is outside the authorized scopes",
    });

    const refused = await mastodon();
    await command(MASTODON, "__mastodon", { answers: [{ method: "POST", path: "/api/v1/statuses", status: 422, json: { error: "Validation failed: Text character limit of 500 exceeded" } }] });
    expect(await attempt(deliverer, refused, noticeFor(deliverer, refused, change), null)).toEqual({
      outcome: "failed",
      reason: "Mastodon (status) answered 422: Validation failed: Text character limit of 500 exceeded",
    });
  });
});

describe("Bluesky", () => {
  const bluesky = (extra: Record<string, unknown> = {}) =>
    subscribe({ type: "bluesky", service: BLUESKY, identifier: BLUESKY_ACCOUNT.handle, appPassword: BLUESKY_ACCOUNT.appPassword, ...extra });
  const paths = (fake: { requests: Array<{ path: string }> }) => fake.requests.map((request) => request.path.replace("/xrpc/", ""));
  const sealedSession = (subscriptionId: string) => env.DB.prepare("SELECT sealed_session FROM bluesky_sessions WHERE subscription_id = ?").bind(subscriptionId).first<string>("sealed_session");

  it("delivers the seed edit through the consumer: one sign-in, the post put under the delivery's TID with a link facet over the link's bytes, the session sealed in D1", async () => {
    const subscription = await bluesky();
    const { change, deliveries } = await recordEdit();
    expect(await runConsumer([{ id: "delivery", attempts: 1, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["delivery"], retryMessages: [] });

    const fake = await command(BLUESKY, "__bluesky");
    expect(fake.sessionsCreated).toBe(1);
    const [signIn, upload, put] = fake.requests;
    expect(fake.requests).toHaveLength(3);
    expect(signIn).toMatchObject({ path: "/xrpc/com.atproto.server.createSession", authorization: null, json: { identifier: BLUESKY_ACCOUNT.handle, password: BLUESKY_ACCOUNT.appPassword } });
    const image = (await renderedImage(subscription, change))!;
    expect(upload).toMatchObject({ path: "/xrpc/com.atproto.repo.uploadBlob", authorization: "Bearer access-1", contentType: "image/png", bytes: image.png.byteLength });
    // The link reads without its scheme, cut to 40 clusters; the facet links the whole URL.
    const linkText = `redline.test/articles/${bed.articleId}/…`;
    const text = seedText(change, linkText);
    const linkStart = new TextEncoder().encode(text).length - new TextEncoder().encode(linkText).length;
    expect(put).toMatchObject({
      path: "/xrpc/com.atproto.repo.putRecord",
      authorization: "Bearer access-1",
      json: {
        repo: BLUESKY_ACCOUNT.did,
        collection: "app.bsky.feed.post",
        rkey: await recordKey(`${change.id}/${subscription.id}`, change.detectedAt),
        record: {
          $type: "app.bsky.feed.post",
          text,
          createdAt: change.detectedAt,
          langs: ["en"],
          facets: [{ index: { byteStart: linkStart, byteEnd: new TextEncoder().encode(text).length }, features: [{ $type: "app.bsky.richtext.facet#link", uri: redlineUrl() }] }],
          embed: {
            $type: "app.bsky.embed.images",
            images: [{ alt: image.alt, image: { $type: "blob", ref: { $link: fake.blobs[0] }, mimeType: "image/png", size: image.png.byteLength }, aspectRatio: { width: image.width, height: image.height } }],
          },
        },
      },
    });
    expect(fake.records).toHaveLength(1);

    const sealed = await sealedSession(subscription.id);
    expect(sealed).toMatch(/^rs1\./u);
    expect(sealed).not.toContain("access-1");
    expect(sealed).not.toContain("refresh-1");
  });

  it("reuses the stored session, and a repeated delivery rewrites the same record instead of posting twice", async () => {
    const subscription = await bluesky();
    const { change } = await recordEdit();
    const deliverer = await delivererWith(null);
    const notice = noticeFor(deliverer, subscription, change);
    const first = await attempt(deliverer, subscription, notice, null);
    expect(await attempt(deliverer, subscription, notice, null)).toEqual(first);
    const fake = await command(BLUESKY, "__bluesky");
    expect(paths(fake)).toEqual(["com.atproto.server.createSession", "com.atproto.repo.putRecord", "com.atproto.repo.putRecord"]);
    expect(fake.sessionsCreated).toBe(1);
    expect(fake.records).toEqual([expect.objectContaining({ writes: 2 })]);
  });

  it("refreshes an expired access token once and keeps the new pair; signs in again only when the refresh token is refused too", async () => {
    const subscription = await bluesky();
    const { change } = await recordEdit();
    const deliverer = await delivererWith(null);
    const deliver = () => attempt(deliverer, subscription, noticeFor(deliverer, subscription, change), null);
    await deliver();
    const firstSeal = await sealedSession(subscription.id);

    await command(BLUESKY, "__bluesky", { expireAccessTokens: true });
    expect(await deliver()).toMatchObject({ outcome: "delivered" });
    let fake = await command(BLUESKY, "__bluesky");
    expect(fake.requests.slice(2).map((request: { path: string; authorization: string }) => [request.path.replace("/xrpc/", ""), request.authorization])).toEqual([
      ["com.atproto.repo.putRecord", "Bearer access-1"],
      ["com.atproto.server.refreshSession", "Bearer refresh-1"],
      ["com.atproto.repo.putRecord", "Bearer access-2"],
    ]);
    expect([fake.sessionsCreated, fake.refreshes]).toEqual([1, 1]);
    expect(await sealedSession(subscription.id)).not.toBe(firstSeal);

    await command(BLUESKY, "__bluesky", { expireAccessTokens: true, expireRefreshTokens: true });
    expect(await deliver()).toMatchObject({ outcome: "delivered" });
    fake = await command(BLUESKY, "__bluesky");
    expect(paths(fake).slice(5)).toEqual(["com.atproto.repo.putRecord", "com.atproto.server.refreshSession", "com.atproto.server.createSession", "com.atproto.repo.putRecord"]);
    expect([fake.sessionsCreated, fake.refreshes, fake.records.length]).toEqual([2, 1, 1]);
  });

  it("uploads the redline PNG and embeds the blob it got back, with the alt text and aspect ratio", async () => {
    const subscription = await bluesky();
    const { change } = await recordEdit();
    const deliverer = await delivererWith(TINY_IMAGE);
    const result = await attempt(deliverer, subscription, noticeFor(deliverer, subscription, change), null);
    const fake = await command(BLUESKY, "__bluesky");
    expect(paths(fake)).toEqual(["com.atproto.server.createSession", "com.atproto.repo.uploadBlob", "com.atproto.repo.putRecord"]);
    expect(fake.requests[1]).toMatchObject({ authorization: "Bearer access-1", contentType: "image/png", bytes: TINY_IMAGE.png.byteLength });
    expect(fake.records[0].value.embed).toEqual({
      $type: "app.bsky.embed.images",
      images: [{ alt: TINY_IMAGE.alt, image: { $type: "blob", ref: { $link: fake.blobs[0] }, mimeType: "image/png", size: TINY_IMAGE.png.byteLength }, aspectRatio: { width: 1200, height: 630 } }],
    });
    expect(result).toEqual({ outcome: "delivered", receipt: { uri: fake.records[0].uri, cid: fake.records[0].cid } });
  });

  it("retries a rate-limited sign-in at ratelimit-reset and a 5xx, and fails for good on a wrong app password or a record the PDS refuses", async () => {
    const subscription = await bluesky();
    const { change } = await recordEdit();
    const notice = noticeFor(await delivererFor(env), subscription, change);
    const deliver = (password = BLUESKY_ACCOUNT.appPassword) => blueskyChannel.deliver(notice, subscription.config as never, password, channelContext(env, FIXED_NOW));

    await command(BLUESKY, "__bluesky", {
      answers: [
        {
          path: "/xrpc/com.atproto.server.createSession",
          status: 429,
          json: { error: "RateLimitExceeded", message: "Rate Limit Exceeded" },
          headers: { "ratelimit-limit": "30", "ratelimit-remaining": "0", "ratelimit-reset": String(FIXED_NOW / 1000 + 120), "ratelimit-policy": "30;w=300" },
        },
      ],
    });
    expect(await deliver()).toEqual({ outcome: "retry", reason: "Bluesky (createSession) answered 429 RateLimitExceeded: Rate Limit Exceeded", retryAfterSeconds: 120 });
    expect(await deliver("zzzz-zzzz-zzzz-zzzz")).toEqual({ outcome: "failed", reason: "Bluesky (createSession) answered 401 AuthenticationRequired: Invalid identifier or password" });

    // The PDS sends ratelimit-reset with every answer: only a 429 waits for it.
    await command(BLUESKY, "__bluesky", {
      answers: [{ path: "/xrpc/com.atproto.repo.putRecord", status: 502, json: { error: "UpstreamFailure", message: "Upstream Failure" }, headers: { "ratelimit-reset": String(FIXED_NOW / 1000 + 300) } }],
    });
    expect(await deliver()).toEqual({ outcome: "retry", reason: "Bluesky (putRecord) answered 502 UpstreamFailure: Upstream Failure" });
    await command(BLUESKY, "__bluesky", { answers: [{ path: "/xrpc/com.atproto.repo.putRecord", status: 400, json: { error: "InvalidRequest", message: "Invalid app.bsky.feed.post record" } }] });
    expect(await deliver()).toEqual({ outcome: "failed", reason: "Bluesky (putRecord) answered 400 InvalidRequest: Invalid app.bsky.feed.post record" });
    expect(await deliver()).toMatchObject({ outcome: "delivered" });
    expect((await command(BLUESKY, "__bluesky")).sessionsCreated).toBe(1);
  });

  it("posts a test send of the newest matching change under a key of its own, keeping the session on the subscription", async () => {
    const subscription = await bluesky();
    const { change } = await recordEdit();
    const sent = await api("POST", `/api/subscriptions/${subscription.id}/test`);
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ sent: change.id, result: { outcome: "delivered" } });
    const again = await api("POST", `/api/subscriptions/${subscription.id}/test`);
    const fake = await command(BLUESKY, "__bluesky");
    // Two records (each test send is its own delivery, so its own key), one sign-in: the second reused the session stored under the subscription.
    expect(fake.records.map((record: { uri: string }) => record.uri).sort()).toEqual([sent.json.result.receipt.uri, again.json.result.receipt.uri].sort());
    expect(fake.sessionsCreated).toBe(1);
    expect(await sealedSession(subscription.id)).toMatch(/^rs1\./u);
  });

  it("forgets the session when its subscription is deleted", async () => {
    const subscription = await bluesky();
    const { deliveries } = await recordEdit();
    await runConsumer([{ id: "delivery", attempts: 1, body: deliveries[0]! }]);
    expect(await sealedSession(subscription.id)).toMatch(/^rs1\./u);
    expect((await api("DELETE", `/api/subscriptions/${subscription.id}`)).status).toBe(204);
    expect(await sealedSession(subscription.id)).toBeNull();
  });
});
