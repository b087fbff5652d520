/**
 * The WebSub callback, `/websub/:sourceId` (the `hub.callback` Redline subscribes with): a hub's
 * verification of intent (GET) and its content distribution (POST). Hubs are not admins, so no
 * bearer token: a GET is answered only for a subscription Redline asked for, and a POST acts only
 * when signed with the subscription's secret.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { answerVerification, verifySignature } from "../discovery/websub";
import { DEFAULT_SOURCE_MAX_BYTES } from "../fetching/fetch-source";
import { readBody } from "../fetching/fetch-page";
import type { SourceCheckMessage } from "../queues/messages";
import { quoteInput } from "../quote";
import { RENDERING_HEADERS } from "../security-headers";
import { countIgnoredNotification, forgetSubscription, readWebSubSource, recordDenied, recordVerified } from "../storage/websub";
import { problem } from "./problem";

export const websub = new Hono<AppEnv>();

/**
 * 410 Gone: WebSub §7 lets a subscriber answer a notification with it to end the subscription,
 * and the hub MAY then drop it (any other non-2xx is a failure the hub retries).
 */
const gone = (id: string) => problem(410, `No source ${quoteInput(id)} subscribes here any more; the hub may drop the subscription.`);

websub.get("/:sourceId", async (c) => {
  const id = c.req.param("sourceId");
  const source = await readWebSubSource(c.env.DB, id);
  if (source === null) throw problem(404, `No source ${quoteInput(id)} subscribes here.`);
  const answer = answerVerification(source.subscription, new URL(c.req.url).searchParams, Date.now());
  if (answer.kind === "refuse") throw problem(answer.status, answer.detail);
  const topic = answer.topic;
  const recorded =
    answer.kind === "confirm"
      ? await recordVerified(c.env.DB, id, topic, answer.leaseUntil, answer.renewAt)
      : await recordDenied(c.env.DB, id, topic, answer.reason, answer.renewAt);
  // Between the read and the write the subscription moved on (a new hub or topic): not this intent any more.
  if (!recorded) throw problem(404, "No subscription to this topic is pending here.");
  if (answer.kind === "denied") return c.body(null, 200);
  return c.body(answer.challenge, 200, { ...RENDERING_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
});

websub.post("/:sourceId", async (c) => {
  const id = c.req.param("sourceId");
  const source = await readWebSubSource(c.env.DB, id);
  if (source === null) throw gone(id);
  if (source.status === "paused") {
    // The hub is told to stop; the first check after a resume subscribes again.
    await forgetSubscription(c.env.DB, id);
    throw gone(id);
  }
  const secret = source.subscription.secret;
  if (secret === null) throw gone(id);
  const cap = c.var.tracker.fetchOptions.sourceMaxBytes ?? DEFAULT_SOURCE_MAX_BYTES;
  const body = await readBody(c.req.raw.body, cap, "refuse");
  if (body === null) throw problem(413, `A notification is a feed, and feeds are read up to ${cap} bytes.`);
  if (!(await verifySignature(secret, c.req.header("X-Hub-Signature"), body))) {
    // WebSub §8: a subscription with a secret MUST ignore a notification without a valid signature, and MAY still
    // acknowledge it, so a forger learns nothing from the answer; it is counted on the source and logged.
    await countIgnoredNotification(c.env.DB, id);
    // JSON.stringify escapes what the sender put in the header; the cut keeps a huge one out of the log.
    console.warn(JSON.stringify({ event: "websub-notification-ignored", sourceId: id, signature: c.req.header("X-Hub-Signature")?.slice(0, 200) ?? null }));
    return c.body(null, 202);
  }
  if (!c.env.CHECKS) throw problem(503, "This Worker has no checks queue (redline-checks), so a notification cannot start a check; the hub may retry.");
  const message: SourceCheckMessage = { type: "source", sourceId: id, host: source.site, notBefore: Date.now(), reason: "websub" };
  await c.env.CHECKS.send(message);
  return c.body(null, 202);
});
