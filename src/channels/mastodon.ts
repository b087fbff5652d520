/**
 * Mastodon: each edit as a status carrying the redline image, posted with an access token
 * (scopes write:statuses and write:media) on the subscriber's instance.
 *
 * The image goes up first (`POST /api/v2/media`). Mastodon answers 200 when it is ready and 202
 * while it still processes; a status may only attach ready media, so a 202 becomes the
 * framework's `pending` outcome and `poll` asks `GET /api/v1/media/:id` until its `url` is set.
 * The status itself (`POST /api/v1/statuses`) carries `Idempotency-Key: <deliveryId>`: Mastodon
 * answers a repeated key with the status it already made, so a retry after a lost answer does
 * not post twice (Mastodon keeps the keys for an hour; the queue's retries start within that).
 */
import { invalidField, requiredString, resultOfStatus, retryAfterSeconds, serviceUrl, shortDetail } from "./fields";
import type { Channel, ChannelContext, DeliveryResult, EditNotice } from "./model";
import { composePost, languageOf, mastodonLength, truncateGraphemes } from "./post-text";

export const MASTODON_VISIBILITIES = ["public", "unlisted", "private"] as const;
export type MastodonVisibility = (typeof MASTODON_VISIBILITIES)[number];

export interface MastodonConfig {
  /** The instance's origin, e.g. https://mastodon.social. */
  instance: string;
  visibility: MastodonVisibility;
}

/** Mastodon's default status limit (StatusLengthValidator::MAX_CHARS). */
export const MASTODON_MAX_STATUS = 500;
/** The longest media description Mastodon accepts (MediaAttachment::MAX_DESCRIPTION_LENGTH). */
export const MASTODON_MAX_DESCRIPTION = 1500;
/** A processing image is asked after again this long, doubling each time up to a minute. */
const FIRST_POLL_SECONDS = 5;
const MAX_POLL_SECONDS = 60;
/**
 * After this many polls (about ten minutes) the queue's retries, with their backoff, take over
 * the polling: an image Mastodon never finishes ends in the dead-letter queue.
 */
const MAX_POLLS = 12;

/**
 * A word joiner after every `@` that starts a handle: a headline quoting "@someone" must not
 * mention (and notify) that account. The joiner is invisible and counts as one cluster.
 */
export function defuseMentions(text: string): string {
  return text.replace(/@(?=[\p{L}\p{N}_])/gu, "@\u2060");
}

/** The status text: at most 500 as Mastodon counts, the redline link (23 however long) last. */
export function statusText(notice: EditNotice): string {
  return composePost(
    {
      site: notice.article.site,
      headline: defuseMentions(notice.change.title || notice.article.title),
      summary: defuseMentions(notice.change.summary),
      kinds: notice.change.kinds,
      link: notice.links.redline ?? notice.links.article,
    },
    { maxLength: MASTODON_MAX_STATUS, measure: mastodonLength, linkText: (url) => url },
  ).text;
}

/**
 * A Mastodon error in the framework's terms. 401 and 403 (a revoked token, a missing scope) and
 * 422 (a status or image it refuses) will not change by asking again; 429 waits until
 * `X-RateLimit-Reset` (an ISO 8601 time), or Retry-After; 5xx retries.
 */
async function errorResult(step: string, response: Response, nowMs: number): Promise<DeliveryResult> {
  const text = await response.text();
  let detail = shortDetail(text);
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof error === "string") detail = shortDetail(error);
  } catch {
    // Not JSON (a proxy's error page): its text is the detail.
  }
  // Mastodon sends X-RateLimit-Reset with every answer; only a 429 waits for it.
  const reset = response.status === 429 ? Date.parse(response.headers.get("X-RateLimit-Reset") ?? "") : NaN;
  const retryAfter = Number.isNaN(reset) ? retryAfterSeconds(response.headers.get("Retry-After"), nowMs) : Math.max(0, Math.ceil((reset - nowMs) / 1000));
  return resultOfStatus(`Mastodon (${step})`, response.status, detail, retryAfter);
}

const authorization = (token: string) => ({ Authorization: `Bearer ${token}` });

interface MediaAttachment {
  id: string;
  url: string | null;
}

async function postStatus(notice: EditNotice, config: MastodonConfig, token: string, context: ChannelContext, mediaIds: string[]): Promise<DeliveryResult> {
  const response = await context.fetch(`${config.instance}/api/v1/statuses`, {
    method: "POST",
    headers: { ...authorization(token), "Content-Type": "application/json", "Idempotency-Key": notice.deliveryId },
    body: JSON.stringify({
      status: statusText(notice),
      media_ids: mediaIds,
      visibility: config.visibility,
      language: languageOf(notice.change.title || notice.article.title),
    }),
  });
  if (!response.ok) return errorResult("status", response, context.nowMs);
  const status = (await response.json()) as { id: string; url?: string | null };
  return { outcome: "delivered", receipt: { statusId: status.id, url: status.url ?? null } };
}

function pollAgain(mediaId: string, polls: number): DeliveryResult {
  if (polls >= MAX_POLLS) return { outcome: "retry", reason: `Mastodon was still processing the image after ${polls} polls` };
  return { outcome: "pending", state: { mediaId, polls }, afterSeconds: Math.min(MAX_POLL_SECONDS, FIRST_POLL_SECONDS * 2 ** Math.max(0, polls - 1)) };
}

export const mastodonChannel: Channel<MastodonConfig, string> = {
  type: "mastodon",
  parse(body, { allowLoopback }) {
    const instance = serviceUrl(body, "instance", allowLoopback, 'your instance\'s address, e.g. {"instance": "https://mastodon.social"}');
    if (instance.pathname !== "/" || instance.search !== "") throw invalidField("instance", "must be the instance's origin alone, e.g. https://mastodon.social.");
    const visibility = body.visibility ?? "unlisted";
    if (!MASTODON_VISIBILITIES.includes(visibility as MastodonVisibility)) {
      throw invalidField("visibility", `must be one of ${MASTODON_VISIBILITIES.join(", ")} (default unlisted).`);
    }
    const token = requiredString(body, "accessToken", "an access token of an application with the scopes write:statuses and write:media");
    return { config: { instance: instance.origin, visibility: visibility as MastodonVisibility }, secret: token };
  },
  async deliver(notice, config, token, context) {
    const image = await notice.image();
    if (!image) return postStatus(notice, config, token, context, []);
    const form = new FormData();
    form.append("file", new Blob([image.png], { type: "image/png" }), "redline.png");
    form.append("description", truncateGraphemes(image.alt, MASTODON_MAX_DESCRIPTION));
    const response = await context.fetch(`${config.instance}/api/v2/media`, { method: "POST", headers: authorization(token), body: form });
    if (!response.ok) return errorResult("media upload", response, context.nowMs);
    const media = (await response.json()) as MediaAttachment;
    if (response.status === 202 || media.url === null) return pollAgain(media.id, 1);
    return postStatus(notice, config, token, context, [media.id]);
  },
  async poll(notice, state, config, token, context) {
    const mediaId = String(state.mediaId);
    const polls = Number(state.polls) || 1;
    const response = await context.fetch(`${config.instance}/api/v1/media/${encodeURIComponent(mediaId)}`, { headers: authorization(token) });
    // 206 Partial Content: still processing.
    if (response.status === 206) {
      await response.body?.cancel();
      return pollAgain(mediaId, polls + 1);
    }
    if (!response.ok) return errorResult("media status", response, context.nowMs);
    const media = (await response.json()) as MediaAttachment;
    if (media.url === null) return pollAgain(mediaId, polls + 1);
    return postStatus(notice, config, token, context, [mediaId]);
  },
  describe: (config) => `Mastodon status (${config.visibility}) on ${config.instance}`,
};
