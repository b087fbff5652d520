/**
 * Slack: each edit as a Block Kit message to an incoming webhook
 * (`https://hooks.slack.com/services/T…/B…/…`, which is the secret). Header: the headline;
 * a section: the summary and the kinds; a context line: the site and the detection time; a
 * button to the redline page; `text` is the notification fallback.
 *
 * An incoming webhook cannot upload a file, so the redline image is an `image` block whose
 * `image_url` Slack fetches itself: only when the subscription's origin is one Slack can reach
 * and read (https, not a local name, and PUBLIC_READ not "false"). Otherwise, and for a change
 * without an image, the context line links the image.
 *
 * Slack answers 200 "ok", or a word: 400 invalid_payload / invalid_blocks, 403 action_prohibited,
 * 404 no_service / channel_not_found, 410 channel_is_archived (none changes by asking again),
 * 429 with Retry-After, 5xx.
 */
import { invalidField, resultOfStatus, retryAfterSeconds, serviceUrl, shortDetail } from "./fields";
import { publicRead } from "../auth/settings";
import type { Env } from "../env";
import type { Channel, EditNotice, RedlineImage } from "./model";

export interface SlackConfig {
  /** Who reads it, for the subscription list ("#newsroom"): the webhook URL does not say. */
  label: string | null;
}

/** Block Kit's limits (api.slack.com/reference/block-kit/blocks). */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const BUTTON_TEXT_MAX = 75;
const IMAGE_ALT_MAX = 2000;
const IMAGE_URL_MAX = 3000;

/** Cuts `text` to `max` UTF-16 units, on a code point, with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]/u.test(text[max - 2] ?? "") ? max - 2 : max - 1;
  return `${text.slice(0, cut)}…`;
}

/** Slack's mrkdwn needs only these three escaped (api.slack.com "Formatting text": escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/gu, "&amp;").replace(/</gu, "&lt;").replace(/>/gu, "&gt;");
}

/** A link in mrkdwn: `<url|label>`; the URL's own `|` and `>` would end it early. */
const mrkdwnLink = (url: string, label: string) => `<${url.replace(/\|/gu, "%7C").replace(/>/gu, "%3E")}|${escapeMrkdwn(label)}>`;

export const headlineOf = (notice: EditNotice): string => notice.change.title || notice.article.title || notice.article.url;

/** Hosts no service outside this machine reaches. */
const LOCAL_HOST = /^(?:localhost|.*\.localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$/iu;

/**
 * Whether Slack can fetch `imageUrl` itself: an absolute https URL on a host that is not local,
 * of an archive that is public (PUBLIC_READ unset or "true"; a private one answers Slack 401).
 */
export function slackCanFetch(imageUrl: string | null, env: Pick<Env, "PUBLIC_READ">): imageUrl is string {
  if (!imageUrl || imageUrl.length > IMAGE_URL_MAX || !publicRead(env)) return false;
  let url: URL;
  try {
    url = new URL(imageUrl);
  } catch {
    return false;
  }
  return url.protocol === "https:" && !LOCAL_HOST.test(url.hostname);
}

/** The message; with `image` (only when Slack can fetch links.imagePng), an image block shows it, else the context line links it. */
export function slackMessage(notice: EditNotice, image: Pick<RedlineImage, "alt"> | null = null): { text: string; blocks: unknown[] } {
  const { change, links } = notice;
  const shown = image && links.imagePng ? { url: links.imagePng, alt: image.alt } : null;
  const headline = headlineOf(notice);
  const target = links.redline ?? links.article;
  const kinds = change.kinds.join(", ");
  const seconds = Math.floor(Date.parse(change.detectedAt) / 1000);
  const context = [
    escapeMrkdwn(notice.article.site),
    // Slack shows the time in each reader's own zone; the fallback after | is for clients that cannot.
    `<!date^${seconds}^{date_short_pretty} {time}|${change.detectedAt}>`,
    ...(links.imagePng && !shown ? [mrkdwnLink(links.imagePng, "Redline image")] : []),
  ];
  return {
    text: clip(`Edited: ${headline} — ${change.summary} ${target}`, SECTION_MAX),
    blocks: [
      { type: "header", text: { type: "plain_text", text: clip(headline, HEADER_MAX), emoji: false } },
      { type: "section", text: { type: "mrkdwn", text: clip(`${escapeMrkdwn(change.summary)}\n*Kinds:* ${escapeMrkdwn(kinds)}`, SECTION_MAX) } },
      { type: "context", elements: context.map((text) => ({ type: "mrkdwn", text })) },
      ...(shown ? [{ type: "image", image_url: shown.url, alt_text: clip(shown.alt, IMAGE_ALT_MAX) }] : []),
      {
        type: "actions",
        elements: [{ type: "button", text: { type: "plain_text", text: clip(links.redline ? "See the redline" : "See the article", BUTTON_TEXT_MAX) }, url: target, action_id: "redline" }],
      },
    ],
  };
}

export const slackChannel: Channel<SlackConfig, string> = {
  type: "slack",
  parse(body, { allowLoopback }) {
    const url = serviceUrl(body, "url", allowLoopback, "the incoming webhook URL Slack gave you, https://hooks.slack.com/services/…");
    const { label } = body;
    if (label !== undefined && label !== null && (typeof label !== "string" || label.length > 80)) throw invalidField("label", "must be a short name of at most 80 characters, e.g. #newsroom.");
    return { config: { label: typeof label === "string" && label.trim() !== "" ? label.trim() : null }, secret: url.href };
  },
  async deliver(notice, _config, url, context) {
    // The image is rendered only for its alt text, and only when Slack could fetch it.
    const image = slackCanFetch(notice.links.imagePng, context.env) ? await notice.image() : null;
    const response = await context.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8", "User-Agent": "Redline/0.1" },
      body: JSON.stringify(slackMessage(notice, image)),
    });
    const text = await response.text();
    return resultOfStatus("Slack", response.status, response.ok ? "" : shortDetail(text), retryAfterSeconds(response.headers.get("Retry-After"), context.nowMs));
  },
  describe: (config) => `Slack incoming webhook${config.label ? ` to ${config.label}` : ""}`,
};
