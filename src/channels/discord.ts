/**
 * Discord: each edit as an embed posted to a channel webhook
 * (`https://discord.com/api/webhooks/<id>/<token>`, which is the secret) with `?wait=true`, so
 * Discord answers the message it made (its id is the receipt). Title: the headline (≤ 256),
 * linking the redline; description: the summary (≤ 4096); fields: kinds, versions, site; the
 * detection time; a red stripe. No mentions are ever parsed: a headline that says "@everyone"
 * must not ping a server.
 *
 * The redline image is uploaded with the message (Discord's "Uploading Files":
 * multipart/form-data with `payload_json` and `files[0]`), listed in `attachments` with its alt
 * text as `description`, and shown as the embed's image through `attachment://redline.png`. A
 * change without an image (a first version) is plain JSON, as is one whose PNG is over the
 * webhook upload limit, or that Discord refused as too large (413, code 40005): then an "Image"
 * field links it instead.
 *
 * Discord answers 200 (204 without wait), 400 with a JSON error (an embed it refuses), 401 / 404
 * for an invalid token or a deleted webhook, 413 for an upload over the limit, 429 with
 * `retry_after` (seconds, in the JSON) and Retry-After, 5xx.
 */
import { invalidField, resultOfStatus, retryAfterSeconds, serviceUrl, shortDetail } from "./fields";
import type { Channel, ChannelContext, EditNotice, RedlineImage } from "./model";
import { clip, headlineOf } from "./slack";

export interface DiscordConfig {
  /** Who reads it, for the subscription list ("#edits on the newsroom server"). */
  label: string | null;
}

/** Discord's embed limits (discord.com/developers/docs/resources/message#embed-object-embed-limits). */
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELD_VALUE_MAX = 1024;
/** An attachment's description (its alt text) is at most this long (Attachment object). */
const ATTACHMENT_DESCRIPTION_MAX = 1024;
/** Redline's red, as the embed's side stripe. */
const COLOR = 0xb3261e;
/** The attached image's name, which the embed names as `attachment://redline.png`. */
export const DISCORD_IMAGE_NAME = "redline.png";
/**
 * The largest PNG attached: a webhook's default upload limit (8 MiB; boosted servers allow more,
 * which a webhook cannot tell). A larger one is linked instead.
 */
export const DISCORD_MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

/** The message JSON; with `image`, the embed shows the uploaded file and `attachments` describes it, else a field links the image. */
export function discordMessage(notice: EditNotice, image: RedlineImage | null = null): Record<string, unknown> {
  const { change, links } = notice;
  const versions = change.from === null ? `new: v${change.to}` : change.to === null ? `v${change.from}: removed` : `v${change.from} → v${change.to}`;
  const fields = [
    { name: "Kinds", value: clip(change.kinds.join(", "), FIELD_VALUE_MAX), inline: true },
    { name: "Versions", value: versions, inline: true },
    { name: "Site", value: clip(notice.article.site, FIELD_VALUE_MAX), inline: true },
    ...(links.imagePng && !image ? [{ name: "Image", value: clip(`[Redline image](${links.imagePng})`, FIELD_VALUE_MAX), inline: false }] : []),
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
        ...(image ? { image: { url: `attachment://${DISCORD_IMAGE_NAME}` } } : {}),
      },
    ],
    ...(image ? { attachments: [{ id: 0, filename: DISCORD_IMAGE_NAME, description: clip(image.alt, ATTACHMENT_DESCRIPTION_MAX) }] } : {}),
  };
}

/** The request body: JSON, or with `image` the multipart form Discord documents for uploads. */
export function discordBody(notice: EditNotice, image: RedlineImage | null): { body: BodyInit; headers: Record<string, string> } {
  const message = JSON.stringify(discordMessage(notice, image));
  if (!image) return { body: message, headers: { "Content-Type": "application/json" } };
  const form = new FormData();
  form.append("payload_json", message);
  form.append("files[0]", new Blob([image.png], { type: "image/png" }), DISCORD_IMAGE_NAME);
  // fetch writes the multipart Content-Type with its boundary.
  return { body: form, headers: {} };
}

async function post(url: string, notice: EditNotice, image: RedlineImage | null, context: ChannelContext): Promise<{ response: Response; text: string; body: unknown }> {
  const { body, headers } = discordBody(notice, image);
  const response = await context.fetch(url, { method: "POST", headers: { ...headers, "User-Agent": "Redline/0.1" }, body });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { response, text, body: json };
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
    const rendered = await notice.image();
    const image = rendered && rendered.png.byteLength <= DISCORD_MAX_UPLOAD_BYTES ? rendered : null;
    let { response, text, body } = await post(target.href, notice, image, context);
    // Over this server's limit after all: the same message once more, linking the image.
    if (image && response.status === 413) ({ response, text, body } = await post(target.href, notice, null, context));
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
