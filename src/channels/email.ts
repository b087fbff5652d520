/**
 * Email: each edit as a message sent through Cloudflare Email Routing's `send_email` binding
 * (`EMAIL`, wrangler.toml). The MIME message is built here (pure): multipart/alternative with a
 * text/plain and a text/html part (headline, summary, kinds, the redline link and its image,
 * everything fetched HTML-escaped), both base64 UTF-8, and the subject RFC 2047-encoded so a
 * Korean headline arrives intact. With the redline image the HTML part is multipart/related
 * (RFC 2387): the HTML, and the PNG inline (`Content-ID`, RFC 2392), which the HTML shows as
 * `cid:` with the image's alt text, so no mail client has to fetch it from the Worker. The destination must be verified in Email Routing; the sender
 * must be an address on the zone.
 */
import { EmailMessage } from "cloudflare:email";
import { problem } from "../api/problem";
import { invalidField, requiredString } from "./fields";
import type { Channel, EditNotice, RedlineImage } from "./model";
import { headlineOf } from "./slack";

export interface EmailConfig {
  to: string;
  from: string;
}

/** An addr-spec of the everyday kind (local@domain), without display names, comments or quoting: nothing that could fold a header. */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/u;

function address(body: Record<string, unknown>, name: string, hint: string): string {
  const value = requiredString(body, name, hint);
  if (!ADDRESS.test(value)) throw invalidField(name, "must be an email address such as desk@example.com.");
  return value;
}

const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Base64 in lines of 76 characters, as RFC 2045 §6.8 requires of a body. */
function base64Lines(content: string | Uint8Array): string {
  return (base64(typeof content === "string" ? encoder.encode(content) : content).match(/.{1,76}/gu) ?? []).join("\r\n");
}

/**
 * An unstructured header value as RFC 2047 encoded-words (`=?UTF-8?B?…?=`), each at most 75
 * characters and never splitting a character's UTF-8 bytes, folded one word a line. Plain ASCII
 * without control characters goes as it is.
 */
export function encodeHeaderValue(value: string): string {
  const clean = value.replace(/[\r\n\t]+/gu, " ");
  if (/^[\x20-\x7e]*$/u.test(clean) && clean.length <= 900) return clean;
  // 75 − "=?UTF-8?B?" − "?=" leaves 63 base64 characters: 45 bytes (a multiple of 3, no padding mid-header).
  const words: string[] = [];
  let chunk: number[] = [];
  for (const char of clean) {
    const bytes = encoder.encode(char);
    if (chunk.length + bytes.length > 45) {
      words.push(`=?UTF-8?B?${base64(Uint8Array.from(chunk))}?=`);
      chunk = [];
    }
    chunk.push(...bytes);
  }
  if (chunk.length > 0) words.push(`=?UTF-8?B?${base64(Uint8Array.from(chunk))}?=`);
  return words.join("\r\n ");
}

export function escapeHtml(text: string): string {
  return text.replace(/&/gu, "&amp;").replace(/</gu, "&lt;").replace(/>/gu, "&gt;").replace(/"/gu, "&quot;").replace(/'/gu, "&#39;");
}

/** RFC 5322 §3.3's date-time, in UTC. */
function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}

export function emailText(notice: EditNotice): string {
  const { change, links } = notice;
  return [
    headlineOf(notice),
    "",
    change.summary,
    "",
    `Kinds: ${change.kinds.join(", ")}`,
    `Site: ${notice.article.site}`,
    `Detected: ${change.detectedAt}`,
    "",
    ...(links.redline ? [`The redline: ${links.redline}`] : []),
    ...(links.imagePng ? [`As an image: ${links.imagePng}`] : []),
    `The article's history: ${links.article}`,
    `The article as published: ${notice.article.url}`,
    "",
    "-- ",
    `Sent by Redline for the subscription ${notice.deliveryId.split("/")[1] ?? ""}.`,
  ].join("\r\n");
}

/** The inline image as the HTML part refers to it: its Content-ID (without the angle brackets) and what the <img> says. */
export interface InlineImage {
  contentId: string;
  alt: string;
  width: number;
  height: number;
}

/** The width the image is shown at (the PNG is drawn at twice that for sharp screens); the height keeps its proportion. */
const SHOWN_WIDTH = 600;

export function emailHtml(notice: EditNotice, inline: InlineImage | null = null): string {
  const { change, links } = notice;
  const headline = escapeHtml(headlineOf(notice));
  const href = escapeHtml(links.redline ?? links.imagePng ?? links.article);
  const style = 'style="max-width:100%;height:auto;border:1px solid #ccc"';
  const width = inline ? Math.min(SHOWN_WIDTH, inline.width) : SHOWN_WIDTH;
  const image = inline
    ? `<p><a href="${href}"><img src="cid:${escapeHtml(inline.contentId)}" width="${width}" height="${Math.round((inline.height * width) / inline.width)}" alt="${escapeHtml(inline.alt)}" ${style}></a></p>`
    : links.imagePng
      ? `<p><a href="${href}"><img src="${escapeHtml(links.imagePng)}" width="${SHOWN_WIDTH}" alt="${escapeHtml(`The redline of ${headlineOf(notice)}`)}" ${style}></a></p>`
      : "";
  const redline = links.redline ? `<p><a href="${escapeHtml(links.redline)}">See the redline</a></p>` : "";
  return [
    "<!doctype html>",
    '<html><head><meta charset="utf-8"><title>' + headline + "</title></head>",
    '<body style="font-family:sans-serif;line-height:1.4">',
    `<h1 style="font-size:1.3em">${headline}</h1>`,
    `<p>${escapeHtml(change.summary)}</p>`,
    `<p><strong>Kinds:</strong> ${escapeHtml(change.kinds.join(", "))}<br><strong>Site:</strong> ${escapeHtml(notice.article.site)}<br><strong>Detected:</strong> ${escapeHtml(change.detectedAt)}</p>`,
    redline,
    image,
    `<p><a href="${escapeHtml(links.article)}">The article's history</a> · <a href="${escapeHtml(notice.article.url)}">The article as published</a></p>`,
    "</body></html>",
  ].join("\r\n");
}

/** The Message-ID: the delivery id made an id-left (RFC 5322 §3.6.4), so each retry repeats it and a mail system can drop the copy. */
function messageId(deliveryId: string, from: string): string {
  return `<${deliveryId.replace(/[^A-Za-z0-9.!#$%&'*+=?^_`{|}~-]/gu, ".")}@${from.slice(from.lastIndexOf("@") + 1)}>`;
}

/** The inline image's Content-ID: the Message-ID's, prefixed, so it is as unique as the message. */
function imageContentId(deliveryId: string, from: string): string {
  return `redline.${messageId(deliveryId, from).slice(1, -1)}`;
}

/** The HTML part: text/html alone, or with the image multipart/related (its `related-` boundary never begins with the outer one). */
function htmlPart(notice: EditNotice, config: EmailConfig, boundary: string, image: RedlineImage | null): string[] {
  const html = ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", ""];
  if (!image) return [...html, base64Lines(emailHtml(notice))];
  const related = `related-${boundary}`;
  const contentId = imageContentId(notice.deliveryId, config.from);
  return [
    `Content-Type: multipart/related; boundary="${related}"; type="text/html"`,
    "",
    `--${related}`,
    ...html,
    base64Lines(emailHtml(notice, { contentId, alt: image.alt, width: image.width, height: image.height })),
    `--${related}`,
    'Content-Type: image/png; name="redline.png"',
    "Content-Transfer-Encoding: base64",
    `Content-ID: <${contentId}>`,
    'Content-Disposition: inline; filename="redline.png"',
    "",
    base64Lines(image.png),
    `--${related}--`,
  ];
}

/** The whole message, CRLF line ends; `boundary` is given so tests can read the parts; `image` goes inline in the HTML part. */
export function emailMime(notice: EditNotice, config: EmailConfig, nowMs: number, boundary: string, image: RedlineImage | null = null): string {
  return [
    `From: Redline <${config.from}>`,
    `To: <${config.to}>`,
    `Subject: ${encodeHeaderValue(`Edited: ${headlineOf(notice)}`)}`,
    `Date: ${rfc5322Date(nowMs)}`,
    `Message-ID: ${messageId(notice.deliveryId, config.from)}`,
    "MIME-Version: 1.0",
    // Mail a program sends on its own (RFC 3834): auto-responders do not answer it.
    "Auto-Submitted: auto-generated",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(emailText(notice)),
    `--${boundary}`,
    ...htmlPart(notice, config, boundary, image),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

/** send_email's refusals that no retry changes (an unverified or disallowed address, a message it cannot parse). */
const PERMANENT = /not (?:allowed|verified)|unverified|invalid|could not parse|does not match/iu;

export const emailChannel: Channel<EmailConfig, null> = {
  type: "email",
  parse(body, { env }) {
    if (!env.EMAIL) throw problem(503, "Email subscriptions need the EMAIL send_email binding (wrangler.toml [[send_email]]), which this Worker does not have.");
    const to = address(body, "to", "the address each edit is sent to (verified in Cloudflare Email Routing)");
    const from = address(body, "from", "the sender, an address on your Email Routing domain");
    return { config: { to, from }, secret: null };
  },
  async deliver(notice, config, _secret, context) {
    const email = context.env.EMAIL;
    if (!email) return { outcome: "retry", reason: "The EMAIL send_email binding is missing from this deploy." };
    const boundary = `redline-${crypto.randomUUID()}`;
    const image = await notice.image();
    try {
      await email.send(new EmailMessage(config.from, config.to, emailMime(notice, config, context.nowMs, boundary, image)));
    } catch (error) {
      const reason = `send_email refused: ${error instanceof Error ? error.message : String(error)}`;
      return PERMANENT.test(reason) ? { outcome: "failed", reason } : { outcome: "retry", reason };
    }
    return { outcome: "delivered" };
  },
  describe: (config) => `Email to ${config.to} from ${config.from}`,
};
