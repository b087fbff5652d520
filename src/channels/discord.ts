/**
 * Discord: each edit as an embed posted to a channel webhook
 * (`https://discord.com/api/webhooks/<id>/<token>`, which is the secret) with `?wait=true`, so
 * Discord answers the message it made (its id is the receipt). Title: the headline (≤ 256),
 * linking the redline; description: the summary (≤ 4096); fields: kinds, versions, site, the
 * image's link; the detection time; a red stripe. No mentions are ever parsed: a headline that
 * says "@everyone" must not ping a server.
 *
 * Discord answers 200 (204 without wait), 400 with a JSON error (an embed it refuses), 401 / 404
 * for an invalid token or a deleted webhook, 429 with `retry_after` (seconds, in the JSON) and
 * Retry-After, 5xx.
 */
import { invalidField, resultOfStatus, retryAfterSeconds, serviceUrl, shortDetail } from "./fields";
import type { Channel, EditNotice } from "./model";
import { clip, headlineOf } from "./slack";

export interface DiscordConfig {
  /** Who reads it, for the subscription list ("#edits on the newsroom server"). */
  label: string | null;
}

/** Discord's embed limits (discord.com/developers/docs/resources/message#embed-object-embed-limits). */
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELD_VALUE_MAX = 1024;
/** Redline's red, as the embed's side stripe. */
const COLOR = 0xb3261e;

export function discordMessage(notice: EditNotice): Record<string, unknown> {
  const { change, links } = notice;
  const versions = change.from === null ? `new: v${change.to}` : change.to === null ? `v${change.from}: removed` : `v${change.from} → v${change.to}`;
  const fields = [
    { name: "Kinds", value: clip(change.kinds.join(", "), FIELD_VALUE_MAX), inline: true },
    { name: "Versions", value: versions, inline: true },
    { name: "Site", value: clip(notice.article.site, FIELD_VALUE_MAX), inline: true },
    ...(links.imagePng ? [{ name: "Image", value: clip(`[Redline image](${links.imagePng})`, FIELD_VALUE_MAX), inline: false }] : []),
  ];
  return {
    username: "Redline",
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: clip(headlineOf(notice), TITLE_MAX),
        url: links.redline ?? links.article,
        description: clip(change.summary, DESCRIPTION_MAX),
        fields,
        timestamp: change.detectedAt,
        color: COLOR,
        footer: { text: "Redline" },
      },
    ],
  };
}

/** Discord's 429 says how long in its JSON (`retry_after`, seconds with a fraction); the header rounds it. */
function retryAfterOf(body: unknown, header: string | null, nowMs: number): number | undefined {
  const seconds = (body as { retry_after?: unknown } | null)?.retry_after;
  if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  return retryAfterSeconds(header, nowMs);
}

const WEBHOOK_PATH = /^\/api(?:\/v\d+)?\/webhooks\/\d+\/[\w-]+\/?$/u;

export const discordChannel: Channel<DiscordConfig, string> = {
  type: "discord",
  parse(body, { allowLoopback }) {
    const url = serviceUrl(body, "url", allowLoopback, "the webhook URL Discord gave you, https://discord.com/api/webhooks/<id>/<token>");
    if (!WEBHOOK_PATH.test(url.pathname)) throw invalidField("url", "must be a Discord webhook URL, …/api/webhooks/<id>/<token>.");
    const { label } = body;
    if (label !== undefined && label !== null && (typeof label !== "string" || label.length > 80)) throw invalidField("label", "must be a short name of at most 80 characters.");
    url.search = "";
    return { config: { label: typeof label === "string" && label.trim() !== "" ? label.trim() : null }, secret: url.href };
  },
  async deliver(notice, _config, url, context) {
    const target = new URL(url);
    target.searchParams.set("wait", "true");
    const response = await context.fetch(target.href, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "Redline/0.1" },
      body: JSON.stringify(discordMessage(notice)),
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (response.ok) {
      const id = (body as { id?: unknown } | null)?.id;
      return typeof id === "string" ? { outcome: "delivered", receipt: { messageId: id } } : { outcome: "delivered" };
    }
    const message = (body as { message?: unknown } | null)?.message;
    const detail = typeof message === "string" ? `${message}${body && typeof body === "object" && "code" in body ? ` (code ${String((body as { code: unknown }).code)})` : ""}` : text;
    return resultOfStatus("Discord", response.status, shortDetail(detail), retryAfterOf(body, response.headers.get("Retry-After"), context.nowMs));
  },
  describe: (config) => `Discord webhook${config.label ? ` to ${config.label}` : ""}`,
};
