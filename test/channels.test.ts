/**
 * The channel framework and the Slack, Discord and email channels end to end: subscriptions
 * through the API (typed, secrets sealed in D1 and never shown), the Yonhap stealth edit recorded
 * by a real check of the replay fixtures, and the queue consumer delivering it to the loopback
 * fakes (test/fakes/slack.mjs, discord.mjs) or to miniflare's send_email binding, which parses
 * the MIME message. The queue is spied on as in test/webhooks.test.ts; each test hands the
 * messages to the consumer itself.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { EmailMessage } from "cloudflare:email";
import { describe, expect, inject, it, vi } from "vitest";
import { escapeHtml } from "../src/channels/email";
import { delivererFor, noticeFor } from "../src/channels/queue";
import { keyringFrom, open } from "../src/channels/secrets";
import type { Env } from "../src/env";
import worker from "../src/index";
import type { WebhookMessage } from "../src/queues/messages";
import { SubscriptionStore } from "../src/storage/subscriptions";
import { DISCORD_WEBHOOK } from "./fakes/discord.mjs";
import { SLACK_HOOKS } from "./fakes/slack.mjs";
import { command, runConsumer, useChannelBed } from "./channel-helpers";
import { ADMIN, api, check, instrumented, SEED_URLS, serveTimelineEntry } from "./helpers";
import { insertSource } from "./source-helpers";

declare module "vitest" {
  export interface ProvidedContext {
    slackFake: string;
    discordFake: string;
  }
}

const SLACK = inject("slackFake");
const DISCORD = inject("discordFake");
const SLACK_URL = `${SLACK}${SLACK_HOOKS.good}`;
const DISCORD_URL = `${DISCORD}/api/webhooks/${DISCORD_WEBHOOK.id}/${DISCORD_WEBHOOK.token}`;

/** Each message the worker sent to the webhook queue, with a send's delay. */
const bed = useChannelBed(
  () => Promise.all([command(SLACK, "__slack", { reset: true }), command(DISCORD, "__discord", { reset: true })]),
  (body, delaySeconds) => ({ body, delaySeconds }),
);
const queued = bed.queued;

/** Records the Yonhap stealth edit (change 2), fans it out, and returns the change and the delivery messages. */
async function recordAndFanOut() {
  await serveTimelineEntry(SEED_URLS.yonhap, 2);
  const { change } = (await check(bed.articleId)).json;
  const announced = queued.splice(0).map((entry) => entry.body);
  expect(announced).toEqual([{ type: "change", articleId: bed.articleId, seq: 2 }]);
  await runConsumer([{ id: "fan-out", attempts: 1, body: announced[0]! }]);
  return { change, deliveries: queued.splice(0).map((entry) => entry.body) };
}

const subscribe = (body: Record<string, unknown>) => api("POST", "/api/subscriptions", { body });
const delivery = (subscriptionId: string, seq = 2): WebhookMessage => ({ type: "delivery", subscriptionId, articleId: bed.articleId, seq });
const stored = (id: string) => new SubscriptionStore(env.DB, env.REDLINE_KV).get(id);

/** A subscription created on `origin`, the origin its notices' links are absolute on. */
async function subscribeOn(origin: string, body: Record<string, unknown>): Promise<{ id: string }> {
  const request = new Request(`${origin}/api/subscriptions`, { method: "POST", headers: ADMIN, body: JSON.stringify(body) });
  const response = await (worker as ExportedHandler<Env>).fetch!(request as Request<unknown, IncomingRequestCfProperties>, env, createExecutionContext());
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

/** The redline image the notice of change `seq` carries for a subscription, as the consumer renders it. */
async function imageOf(subscriptionId: string, seq = 2) {
  const deliverer = await delivererFor(env);
  const change = (await deliverer.store.getChange(bed.articleId, seq))!;
  return (await noticeFor(deliverer, (await stored(subscriptionId))!, change).image())!;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const bytesOf = (base64: string) => Uint8Array.from(atob(base64.replace(/\r\n/g, "")), (c) => c.charCodeAt(0));

describe("channel subscriptions", () => {
  it("a Slack subscription shows its type and label, never its URL, and D1 holds the URL sealed for that row", async () => {
    const created = await subscribe({ type: "slack", url: SLACK_URL, label: "#newsroom", site: "en.yna.co.kr", kinds: ["body"] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ type: "slack", config: { label: "#newsroom" }, description: "Slack incoming webhook to #newsroom" });
    expect(JSON.stringify(created.json)).not.toContain(SLACK_HOOKS.good);
    const listed = JSON.stringify((await api("GET", "/api/subscriptions")).json);
    expect(listed).not.toContain(SLACK_HOOKS.good);

    const row = await env.DB.prepare("SELECT sealed_secret, plain_secret, config FROM subscriptions WHERE id = ?").bind(created.json.id).first<Record<string, string | null>>();
    expect(row!.sealed_secret).toMatch(/^rs1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]+$/);
    expect(JSON.stringify(row)).not.toContain("redlinetestsecret");
    expect(row!.plain_secret).toBeNull();
    const keyring = (await keyringFrom(env))!;
    expect(JSON.parse(await open(keyring, created.json.id, row!.sealed_secret!))).toBe(SLACK_URL);
  });

  it("refuses each type's bad fields with a problem naming the field, and an unknown type listing the known ones", async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ type: "pager" }, "type", /must be one of webhook, slack, discord, email/],
      [{ type: "slack" }, "url", /is required: the incoming webhook URL/],
      [{ type: "slack", url: "http://169.254.169.254/hook" }, "url", /link-local/],
      [{ type: "discord", url: `${DISCORD}/not/a/webhook` }, "url", /must be a Discord webhook URL/],
      [{ type: "email", to: "desk@example.com" }, "from", /is required/],
      [{ type: "email", to: "not an address", from: "redline@example.com" }, "to", /must be an email address/],
      [{ type: "slack", url: SLACK_URL, source: "nope" }, "source", /a source id/],
    ];
    for (const [body, field, reason] of cases) {
      const response = await subscribe(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(response.json["invalid-params"]).toEqual([{ name: field, reason: expect.stringMatching(reason) }]);
    }
  });

  it("without SECRETS_KEY, creating a channel with a secret is a 503 naming the missing secret, and nothing is stored", async () => {
    const keyless: Env = { ...env, SECRETS_KEY: undefined };
    const request = new Request("http://redline.test/api/subscriptions", { method: "POST", headers: ADMIN, body: JSON.stringify({ type: "slack", url: SLACK_URL }) });
    const response = await (worker as ExportedHandler<Env>).fetch!(request as Request<unknown, IncomingRequestCfProperties>, keyless, createExecutionContext());
    expect(response.status).toBe(503);
    expect(((await response.json()) as { detail: string }).detail).toContain("the SECRETS_KEY secret is not configured");
    expect((await api("GET", "/api/subscriptions")).json.items).toEqual([]);
  });
});

describe("delivery to each channel", () => {
  it("delivers the seed edit to Slack as Block Kit: the headline, summary and kinds, the site and time, a button to the redline; on an http origin the image is a link", async () => {
    const subscription = (await subscribe({ type: "slack", url: SLACK_URL, articleId: bed.articleId })).json;
    const { change, deliveries } = await recordAndFanOut();
    expect(deliveries).toEqual([delivery(subscription.id)]);

    expect(await runConsumer([{ id: "slack", attempts: 1, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["slack"], retryMessages: [] });
    const { requests } = await command(SLACK, "__slack");
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method: "POST", path: SLACK_HOOKS.good, contentType: "application/json; charset=utf-8" });
    const redline = `http://redline.test/articles/${bed.articleId}/diff/1..2`;
    expect(request.json.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: change.title, emoji: false } },
      { type: "section", text: { type: "mrkdwn", text: `${change.summary}\n*Kinds:* body, numbers-changed, stealth-edit` } },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: "en.yna.co.kr" },
          { type: "mrkdwn", text: `<!date^${Math.floor(Date.parse(change.detectedAt) / 1000)}^{date_short_pretty} {time}|${change.detectedAt}>` },
          { type: "mrkdwn", text: `<${redline}/image.png|Redline image>` },
        ],
      },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "See the redline" }, url: redline, action_id: "redline" }] },
    ]);
    expect(request.json.text).toBe(`Edited: ${change.title} — ${change.summary} ${redline}`);
    expect((await stored(subscription.id))!.deadLettered).toBe(0);
  });

  it("on a public https origin Slack shows the redline image in an image block with its alt text; a private archive and a first version get none", async () => {
    const origin = "https://redline.example";
    const shown = await subscribeOn(origin, { type: "slack", url: SLACK_URL, articleId: bed.articleId });
    const privateArchive = await subscribeOn(origin, { type: "slack", url: SLACK_URL, articleId: bed.articleId });
    const { deliveries } = await recordAndFanOut();
    expect(deliveries).toHaveLength(2);
    const image = `${origin}/articles/${bed.articleId}/diff/1..2/image.png`;

    expect(await runConsumer([{ id: "shown", attempts: 1, body: delivery(shown.id) }])).toMatchObject({ explicitAcks: ["shown"] });
    expect(await runConsumer([{ id: "private", attempts: 1, body: delivery(privateArchive.id) }], { ...env, PUBLIC_READ: "false" })).toMatchObject({ explicitAcks: ["private"] });
    expect(await runConsumer([{ id: "first", attempts: 1, body: delivery(shown.id, 1) }])).toMatchObject({ explicitAcks: ["first"] });
    // The fake refuses an image block without an http(s) image_url or alt_text (invalid_blocks): all three were taken.
    const [withImage, linked, first] = (await command(SLACK, "__slack")).requests;
    const alt = (await imageOf(shown.id)).alt;
    expect(withImage.json.blocks.map((block: { type: string }) => block.type)).toEqual(["header", "section", "context", "image", "actions"]);
    expect(withImage.json.blocks[3]).toEqual({ type: "image", image_url: image, alt_text: alt });
    expect(alt).toContain("en.yna.co.kr");
    expect(withImage.json.blocks[2].elements).toHaveLength(2);

    expect(linked.json.blocks.map((block: { type: string }) => block.type)).toEqual(["header", "section", "context", "actions"]);
    expect(linked.json.blocks[2].elements[2]).toEqual({ type: "mrkdwn", text: `<${image}|Redline image>` });
    expect(first.json.blocks.map((block: { type: string }) => block.type)).toEqual(["header", "section", "context", "actions"]);
    expect(JSON.stringify(first.json)).not.toContain("image.png");
  });

  it("delivers the seed edit to Discord as an embed with ?wait=true showing the uploaded redline PNG with its alt text, no mentions parsed; a first version goes as JSON without one", async () => {
    const subscription = (await subscribe({ type: "discord", url: DISCORD_URL, label: "#edits" })).json;
    expect(subscription).toMatchObject({ type: "discord", description: "Discord webhook to #edits" });
    const { change, deliveries } = await recordAndFanOut();

    expect(await runConsumer([{ id: "discord", attempts: 1, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["discord"], retryMessages: [] });
    const { requests, messages } = await command(DISCORD, "__discord");
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: "POST", path: `/api/webhooks/${DISCORD_WEBHOOK.id}/${DISCORD_WEBHOOK.token}`, query: { wait: "true" } });
    expect(requests[0].contentType).toMatch(/^multipart\/form-data; boundary=/);
    const redline = `http://redline.test/articles/${bed.articleId}/diff/1..2`;
    const image = await imageOf(subscription.id);
    // payload_json, read by the fake with the same embed limits as a JSON body.
    expect(requests[0].json).toEqual({
      username: "Redline",
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: change.title,
          url: redline,
          description: change.summary,
          fields: [
            { name: "Kinds", value: "body, numbers-changed, stealth-edit", inline: true },
            { name: "Versions", value: "v1 → v2", inline: true },
            { name: "Site", value: "en.yna.co.kr", inline: true },
          ],
          timestamp: change.detectedAt,
          color: 0xb3261e,
          footer: { text: "Redline" },
          image: { url: "attachment://redline.png" },
        },
      ],
      attachments: [{ id: 0, filename: "redline.png", description: image.alt }],
    });
    const [file] = requests[0].files;
    expect(requests[0].files).toHaveLength(1);
    expect(file).toMatchObject({ field: "files[0]", filename: "redline.png", contentType: "image/png", size: image.png.byteLength });
    expect([...bytesOf(file.base64).slice(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(messages).toHaveLength(1);
    expect(messages[0].attachments).toMatchObject([{ filename: "redline.png", description: image.alt, content_type: "image/png" }]);
    expect(messages[0].embeds[0].image.url).toBe(messages[0].attachments[0].url);

    expect(await runConsumer([{ id: "first", attempts: 1, body: delivery(subscription.id, 1) }])).toMatchObject({ explicitAcks: ["first"] });
    const first = (await command(DISCORD, "__discord")).requests[1];
    expect(first).toMatchObject({ contentType: "application/json", files: [] });
    expect(first.json.attachments).toBeUndefined();
    expect(first.json.embeds[0].image).toBeUndefined();
    expect(first.json.embeds[0].fields.map((field: { name: string }) => field.name)).toEqual(["Kinds", "Versions", "Site"]);
  });

  it("sends the seed edit by email through the send_email binding: a message miniflare parses, with a text part and an HTML part carrying the redline PNG inline; a first version has no image part", async () => {
    // Recorded on the way to the real binding (a spy on the RPC binding itself cannot call through).
    const sent: EmailMessage[] = [];
    const recording: Env = { ...env, EMAIL: { send: (message: EmailMessage) => (sent.push(message), env.EMAIL!.send(message)) } as SendEmail };
    const subscription = (await subscribe({ type: "email", to: "desk@redline.test", from: "redline@redline.test" })).json;
    expect(subscription).toMatchObject({ type: "email", config: { to: "desk@redline.test", from: "redline@redline.test" }, description: "Email to desk@redline.test from redline@redline.test" });
    const { change, deliveries } = await recordAndFanOut();

    expect(await runConsumer([{ id: "email", attempts: 1, body: deliveries[0]! }], recording)).toMatchObject({ explicitAcks: ["email"], retryMessages: [] });
    expect(sent).toHaveLength(1);
    // Locally an EmailMessage is {from, to, "EmailMessage::raw"} (miniflare), which its send_email parsed (postal-mime) and accepted.
    const message = sent[0] as unknown as Record<string, string>;
    expect(message).toMatchObject({ from: "redline@redline.test", to: "desk@redline.test" });
    const raw = message["EmailMessage::raw"]!;
    const [head, ...rest] = raw.split("\r\n\r\n");
    expect(head).toContain(`From: Redline <redline@redline.test>\r\nTo: <desk@redline.test>\r\nSubject: Edited: ${change.title}\r\n`);
    expect(head).toContain(`Message-ID: <${change.id}.${subscription.id}@redline.test>`);
    expect(head).toMatch(/Content-Type: multipart\/alternative; boundary="redline-[0-9a-f-]{36}"/);
    const boundary = /boundary="([^"]+)"/.exec(head!)![1]!;
    const decoded = (base64: string) => new TextDecoder().decode(bytesOf(base64));
    /** The parts of a multipart body between `--boundary` lines: each one's headers and its (still encoded) body. */
    const partsOf = (body: string, of: string) =>
      body.split(`--${of}`).slice(1, -1).map((part) => {
        const [headers, ...content] = part.replace(/^\r\n/, "").replace(/\r\n$/, "").split("\r\n\r\n");
        return { headers: headers!, body: content.join("\r\n\r\n") };
      });
    const parts = partsOf(rest.join("\r\n\r\n"), boundary);
    const related = `related-${boundary}`;
    expect(parts.map((part) => part.headers)).toEqual([
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64",
      `Content-Type: multipart/related; boundary="${related}"; type="text/html"`,
    ]);
    const inner = partsOf(parts[1]!.body, related);
    const contentId = `redline.${change.id}.${subscription.id}@redline.test`;
    expect(inner.map((part) => part.headers)).toEqual([
      "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64",
      `Content-Type: image/png; name="redline.png"\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <${contentId}>\r\nContent-Disposition: inline; filename="redline.png"`,
    ]);
    const image = await imageOf(subscription.id);
    const png = inner[1]!.body;
    for (const line of png.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
    expect([...bytesOf(png).slice(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(bytesOf(png)).toEqual(image.png);

    const text = decoded(parts[0]!.body);
    const html = decoded(inner[0]!.body);
    const redline = `http://redline.test/articles/${bed.articleId}/diff/1..2`;
    expect(text).toContain(`${change.title}\r\n\r\n${change.summary}\r\n\r\nKinds: body, numbers-changed, stealth-edit`);
    expect(text).toContain(`The redline: ${redline}`);
    expect(text).toContain(`As an image: ${redline}/image.png`);
    expect(html).toContain(`<a href="${redline}">See the redline</a>`);
    expect(html).toContain(`<a href="${redline}"><img src="cid:${contentId}" width="600" height="${Math.round((image.height * 600) / image.width)}" alt="${escapeHtml(image.alt)}"`);
    expect(html).not.toContain(`src="${redline}/image.png"`);

    expect(await runConsumer([{ id: "first", attempts: 1, body: delivery(subscription.id, 1) }], recording)).toMatchObject({ explicitAcks: ["first"] });
    expect(sent).toHaveLength(2);
    const firstRaw = (sent[1] as unknown as Record<string, string>)["EmailMessage::raw"]!;
    const firstBoundary = /boundary="([^"]+)"/.exec(firstRaw)![1]!;
    const firstParts = partsOf(firstRaw.slice(firstRaw.indexOf("\r\n\r\n") + 4), firstBoundary);
    expect(firstParts.map((part) => part.headers.split("\r\n")[0])).toEqual(["Content-Type: text/plain; charset=utf-8", "Content-Type: text/html; charset=utf-8"]);
    expect(firstRaw).not.toContain("image/png");
    expect(decoded(firstParts[1]!.body)).not.toContain("<img");
  });
});

describe("the notice's image", () => {
  it("is the change's redline PNG, 1200 px wide, rendered once however often a channel asks", async () => {
    const subscription = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    await recordAndFanOut();
    const deliverer = await delivererFor(env);
    const render = vi.spyOn(deliverer, "renderImage");
    const change = (await deliverer.store.getChange(bed.articleId, 2))!;
    const notice = noticeFor(deliverer, (await stored(subscription.id))!, change);
    const image = (await notice.image())!;
    expect([...image.png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(image.width).toBe(1200);
    expect(image.svg).toMatch(/^<svg/);
    expect(image.alt.length).toBeGreaterThan(0);
    expect(await notice.image()).toBe(image);
    expect(render).toHaveBeenCalledTimes(1);
  });
});

describe("the services' refusals", () => {
  it("a Slack 404 channel_not_found is dead-lettered at once, counted with Slack's reason; the message is acknowledged", async () => {
    const subscription = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    const { deliveries } = await recordAndFanOut();
    await command(SLACK, "__slack", { answers: [{ status: 404, body: "channel_not_found" }] });
    expect(await runConsumer([{ id: "gone", attempts: 1, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["gone"], retryMessages: [] });
    expect((await api("GET", `/api/subscriptions/${subscription.id}`)).json).toMatchObject({
      deadLettered: 1,
      lastDeadLetter: { changeId: `${bed.articleId}-2`, reason: "Slack answered 404: channel_not_found" },
    });
  });

  it("a Slack channel that was archived (410) fails for good too", async () => {
    const subscription = (await subscribe({ type: "slack", url: `${SLACK}${SLACK_HOOKS.archived}` })).json;
    await recordAndFanOut();
    await runConsumer([{ id: "archived", attempts: 1, body: delivery(subscription.id) }]);
    expect((await stored(subscription.id))!.lastDeadLetter?.reason).toBe("Slack answered 410: channel_is_archived");
  });

  it("a Slack 429 is retried after its Retry-After, a 500 after the backoff", async () => {
    const subscription = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    await recordAndFanOut();
    await command(SLACK, "__slack", { answers: [{ status: 429, body: "rate_limited", headers: { "Retry-After": "42" } }, { status: 500, body: "" }] });
    const result = await runConsumer([
      { id: "limited", attempts: 1, body: delivery(subscription.id) },
      { id: "broken", attempts: 3, body: delivery(subscription.id) },
    ]);
    expect(result).toMatchObject({ explicitAcks: [], retryMessages: [{ msgId: "limited" }, { msgId: "broken" }], retryDelays: [42, 120] });
    expect((await stored(subscription.id))!.deadLettered).toBe(0);
  });

  it("a Discord 429 waits its JSON retry_after, rounded up; an invalid token (401) is dead-lettered with Discord's message", async () => {
    const limited = (await subscribe({ type: "discord", url: DISCORD_URL })).json;
    const revoked = (await subscribe({ type: "discord", url: `${DISCORD}/api/webhooks/${DISCORD_WEBHOOK.id}/revoked-token` })).json;
    await recordAndFanOut();
    await command(DISCORD, "__discord", { rateLimited: 2.5 });
    const result = await runConsumer([
      { id: "limited", attempts: 1, body: delivery(limited.id) },
      { id: "revoked", attempts: 1, body: delivery(revoked.id) },
    ]);
    expect(result).toMatchObject({ explicitAcks: ["revoked"], retryMessages: [{ msgId: "limited" }], retryDelays: [3] });
    expect((await stored(revoked.id))!.lastDeadLetter?.reason).toBe("Discord answered 401: Invalid Webhook Token (code 50027)");
  });

  it("an upload Discord refuses as too large (413, code 40005) is sent again as JSON, the embed linking the image", async () => {
    const subscription = (await subscribe({ type: "discord", url: DISCORD_URL })).json;
    await recordAndFanOut();
    await command(DISCORD, "__discord", { uploadLimit: 1024 });
    expect(await runConsumer([{ id: "large", attempts: 1, body: delivery(subscription.id) }])).toMatchObject({ explicitAcks: ["large"], retryMessages: [] });
    const { requests, messages } = await command(DISCORD, "__discord");
    expect(requests.map((request: { contentType: string }) => request.contentType.split(";")[0])).toEqual(["multipart/form-data", "application/json"]);
    expect(requests[1].json.embeds[0].fields.at(-1)).toEqual({ name: "Image", value: `[Redline image](http://redline.test/articles/${bed.articleId}/diff/1..2/image.png)`, inline: false });
    expect(requests[1].json.attachments).toBeUndefined();
    expect(messages).toHaveLength(1);
    expect((await stored(subscription.id))!.deadLettered).toBe(0);
  });

  it("an email the binding refuses (an address it may not send to) is dead-lettered with its reason", async () => {
    const subscription = (await subscribe({ type: "email", to: "desk@redline.test", from: "redline@redline.test" })).json;
    await recordAndFanOut();
    // The binding as wrangler.toml's `destination_address` would make it: only another address allowed.
    const pinned: Env = { ...env, EMAIL: { send: () => Promise.reject(new Error("email to desk@redline.test not allowed")) } as unknown as SendEmail };
    expect(await runConsumer([{ id: "refused", attempts: 1, body: delivery(subscription.id) }], pinned)).toMatchObject({ explicitAcks: ["refused"] });
    expect((await stored(subscription.id))!.lastDeadLetter?.reason).toBe("send_email refused: email to desk@redline.test not allowed");
  });

  it("a delivery that exhausted its retries is counted when it reaches the dead-letter queue", async () => {
    const subscription = (await subscribe({ type: "discord", url: DISCORD_URL })).json;
    await recordAndFanOut();
    await runConsumer([{ id: "exhausted", attempts: 9, body: delivery(subscription.id) }], env, "redline-webhooks-dlq");
    expect((await stored(subscription.id))!).toMatchObject({ deadLettered: 1, lastDeadLetter: { changeId: `${bed.articleId}-2`, reason: "Retries exhausted." } });
    expect((await command(DISCORD, "__discord")).requests).toEqual([]);
  });
});

describe("the shared filters", () => {
  it("the source filter sends only changes of articles that source found", async () => {
    const foundUrl = "https://en.yna.co.kr/RSS/news.xml";
    const found = await insertSource({ url: foundUrl, nextCheckAt: 0 });
    const other = await insertSource({ url: "https://www.hani.co.kr/rss/", nextCheckAt: 0 });
    await env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at) VALUES (?, ?, ?, ?)").bind(bed.articleId, found, foundUrl, new Date().toISOString()).run();
    const wanted = (await subscribe({ type: "slack", url: SLACK_URL, source: found })).json;
    await subscribe({ type: "slack", url: SLACK_URL, source: other });
    const { deliveries } = await recordAndFanOut();
    expect(deliveries).toEqual([delivery(wanted.id)]);
  });
});

describe("secrets at rest", () => {
  it("a webhook secret stored in plaintext before channels is sealed by the next fan-out, and its deliveries stay signed with it", async () => {
    const subscriptions = new SubscriptionStore(env.DB, env.REDLINE_KV);
    const legacy = {
      id: crypto.randomUUID(),
      type: "webhook",
      config: { url: `${env.REPLAY_ORIGIN}/__replay/webhooks/legacy` },
      filter: { articleId: bed.articleId, site: null, source: null, kinds: null, minSignificance: 0 },
      sealedSecret: null,
      plainSecret: "a secret from before channels",
      createdAt: new Date(0).toISOString(),
      origin: "http://redline.test",
      deadLettered: 0,
      lastDeadLetter: null,
    };
    await subscriptions.insert(legacy);
    const { deliveries } = await recordAndFanOut();
    const after = (await stored(legacy.id))!;
    expect(after.plainSecret).toBeNull();
    expect(JSON.parse(await open((await keyringFrom(env))!, legacy.id, after.sealedSecret!))).toBe("a secret from before channels");

    expect(await runConsumer([{ id: "legacy", attempts: 1, body: deliveries[0]! }])).toMatchObject({ explicitAcks: ["legacy"] });
    const sink = (await (await fetch(`${env.REPLAY_ORIGIN}/__replay/webhooks/legacy`)).json()) as { deliveries: Array<{ headers: Record<string, string> }> };
    expect(sink.deliveries).toHaveLength(1);
    expect(sink.deliveries[0]!.headers["redline-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("after a key rotation a delivery opens the secret with SECRETS_KEY_PREVIOUS and seals it again under the new key", async () => {
    const subscription = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    await recordAndFanOut();
    const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const rotated: Env = { ...env, SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: env.SECRETS_KEY };
    expect(await runConsumer([{ id: "rotated", attempts: 1, body: delivery(subscription.id) }], rotated)).toMatchObject({ explicitAcks: ["rotated"] });
    expect((await command(SLACK, "__slack")).requests).toHaveLength(1);
    const resealed = (await stored(subscription.id))!.sealedSecret!;
    const newRing = (await keyringFrom({ SECRETS_KEY: newKey }))!;
    expect(resealed.split(".")[1]).toBe(newRing.current.id);
    expect(JSON.parse(await open(newRing, subscription.id, resealed))).toBe(SLACK_URL);
  });

  it("a sealed secret moved onto another row does not open there: the delivery fails for good and is counted", async () => {
    const first = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    const second = (await subscribe({ type: "slack", url: `${SLACK}/services/T0REDLINE/B0OTHER/elsewhere` })).json;
    await env.DB.prepare("UPDATE subscriptions SET sealed_secret = (SELECT sealed_secret FROM subscriptions WHERE id = ?) WHERE id = ?").bind(first.id, second.id).run();
    await recordAndFanOut();
    await runConsumer([{ id: "moved", attempts: 1, body: delivery(second.id) }]);
    expect((await command(SLACK, "__slack")).requests).toEqual([]);
    expect((await stored(second.id))!.lastDeadLetter?.reason).toMatch(/does not authenticate/);
  });
});

describe("POST /api/subscriptions/:id/test", () => {
  it("sends the newest matching change now and answers the delivery result", async () => {
    const subscription = (await subscribe({ type: "discord", url: DISCORD_URL })).json;
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    const { change } = (await check(bed.articleId)).json;
    const response = await api("POST", `/api/subscriptions/${subscription.id}/test`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ sent: change.id, result: { outcome: "delivered", receipt: { messageId: expect.stringMatching(/^\d+$/) } } });
    const { requests } = await command(DISCORD, "__discord");
    expect(requests.map((request: { json: { embeds: Array<{ title: string }> } }) => request.json.embeds[0]!.title)).toEqual([change.title]);
  });

  it("with no matching change, sends a sample labelled as a test", async () => {
    const subscription = (await subscribe({ type: "slack", url: SLACK_URL, kinds: ["removed"] })).json;
    const response = await api("POST", `/api/subscriptions/${subscription.id}/test`);
    expect(response.json).toEqual({ sent: "sample", result: { outcome: "delivered" } });
    const [request] = (await command(SLACK, "__slack")).requests;
    expect(request.json.blocks[0].text.text).toBe("[Redline test notice] N. Korea says talks with U.S. ended");
    expect(request.json.blocks[3].elements[0]).toMatchObject({ text: { text: "See the article" }, url: "http://redline.test/" });
  });

  it("a service's refusal is a 502 problem with its status and words, nothing counted as dead-lettered", async () => {
    const subscription = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    await command(SLACK, "__slack", { answers: [{ status: 403, body: "action_prohibited" }] });
    const response = await api("POST", `/api/subscriptions/${subscription.id}/test`);
    expect(response.status).toBe(502);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.json).toMatchObject({
      status: 502,
      title: "Bad Gateway",
      detail: "The test notice was not delivered: Slack answered 403: action_prohibited",
      outcome: "failed",
      reason: "Slack answered 403: action_prohibited",
      // The newest change it matches: the article's first capture.
      sent: `${bed.articleId}-1`,
    });
    expect((await stored(subscription.id))!.deadLettered).toBe(0);
    expect((await api("POST", "/api/subscriptions/00000000-0000-4000-8000-000000000000/test")).status).toBe(404);
  });
});

describe("what delivery costs (docs/storage.md, Channels)", () => {
  it("a delivery that carries the image adds what the image route reads: the head, the versions index and the two snapshots", async () => {
    const linked = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    const carried = (await subscribe({ type: "discord", url: DISCORD_URL })).json;
    await recordAndFanOut();
    const link = instrumented();
    await runConsumer([{ id: "linked", attempts: 1, body: delivery(linked.id) }], link.env);
    const carry = instrumented();
    await runConsumer([{ id: "carried", attempts: 1, body: delivery(carried.id) }], carry.env);
    // Whatever else a delivery reads and writes is the same for both; the image adds only reads.
    const added = carry.d1.trips.filter((trip) => !link.d1.trips.some((other) => other[0] === trip[0]));
    expect(added).toEqual([["SELECT articles"], ["SELECT versions"], ["SELECT versions"], ["SELECT versions"]]);
    expect({ rowsRead: carry.d1.rowsRead - link.d1.rowsRead, rowsWritten: carry.d1.rowsWritten - link.d1.rowsWritten }).toEqual({ rowsRead: 7, rowsWritten: 0 });
    expect({ link: [link.counts.kvReads, link.counts.kvWrites], carry: [carry.counts.kvReads, carry.counts.kvWrites] }).toEqual({ link: [0, 0], carry: [2, 0] });
  });

  it("fan-out reads the change and every subscription; a delivery reads its subscription (with its ledger row) and change, then records itself in the ledger; a source filter adds one query", async () => {
    const slack = (await subscribe({ type: "slack", url: SLACK_URL })).json;
    await subscribe({ type: "discord", url: DISCORD_URL, kinds: ["removed"] });
    await subscribe({ type: "email", to: "desk@redline.test", from: "redline@redline.test", site: "www.hani.co.kr" });
    await serveTimelineEntry(SEED_URLS.yonhap, 2);
    await check(bed.articleId);
    const announced = queued.splice(0)[0]!.body;

    const fanOut = instrumented();
    await runConsumer([{ id: "fan-out", attempts: 1, body: announced }], { ...fanOut.env, WEBHOOKS: env.WEBHOOKS });
    expect({ trips: fanOut.d1.trips, rowsRead: fanOut.d1.rowsRead, rowsWritten: fanOut.d1.rowsWritten, kv: fanOut.counts.kvReads + fanOut.counts.kvWrites }).toEqual({
      trips: [["SELECT changes"], ["SELECT subscriptions"]],
      rowsRead: 7,
      rowsWritten: 0,
      kv: 0,
    });
    expect(queued.splice(0).map((entry) => entry.body)).toEqual([delivery(slack.id)]);

    const one = instrumented();
    await runConsumer([{ id: "slack", attempts: 1, body: delivery(slack.id) }], one.env);
    expect({ trips: one.d1.trips, rowsRead: one.d1.rowsRead, rowsWritten: one.d1.rowsWritten }).toEqual({
      trips: [["SELECT subscriptions"], ["SELECT changes"], ["INSERT deliveries"]],
      rowsRead: 3,
      rowsWritten: 4,
    });

    await subscribe({ type: "slack", url: SLACK_URL, source: "00000000000000a1" });
    const withSource = instrumented();
    await runConsumer([{ id: "fan-out-2", attempts: 1, body: announced }], { ...withSource.env, WEBHOOKS: env.WEBHOOKS });
    expect(withSource.d1.trips).toEqual([["SELECT changes"], ["SELECT subscriptions"], ["SELECT article_sources"]]);
  });
});
