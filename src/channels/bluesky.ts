/**
 * Bluesky (AT Protocol): each edit as an `app.bsky.feed.post` on the subscriber's account,
 * signed in with an app password on its PDS.
 *
 * Sessions: createSession is rate-limited (30 per 5 minutes, 300 a day per account), so the
 * session it gives is sealed into D1 (`bluesky_sessions`, migrations/0009) and reused. When the
 * PDS says the access token expired, the delivery refreshes it once (refreshSession, which also
 * rotates the refresh token), keeps the new pair, and tries again; only when the refresh token
 * is refused too does it sign in again. Each new session is stored before it is used, so a crash
 * afterwards leaves at worst a stale pair, which the next delivery replaces the same way.
 *
 * Idempotency: the post is written with putRecord under a record key derived from the delivery
 * id (a TID, the key type the app.bsky.feed.post lexicon requires and the AppView indexes), and
 * every field of the record is derived from the change (createdAt is when it was detected), so
 * a retry after a lost answer rewrites the same record at the same URI instead of posting twice.
 */
import { BlueskySessions } from "../storage/bluesky-sessions";
import { invalidField, requiredString, retryAfterSeconds, serviceUrl, shortDetail } from "./fields";
import type { Channel, ChannelContext, DeliveryResult, EditNotice, RedlineImage } from "./model";
import { composePost, countGraphemes, languageOf, truncateGraphemes, utf8Range } from "./post-text";
import { keyringFrom, open, seal } from "./secrets";

export interface BlueskyConfig {
  /** The account's PDS (https://bsky.social for accounts hosted by Bluesky). */
  service: string;
  /** The account's handle or DID. */
  identifier: string;
}

export interface BlueskySession {
  accessJwt: string;
  refreshJwt: string;
  did: string;
}

export const BLUESKY_DEFAULT_SERVICE = "https://bsky.social";
/** app.bsky.feed.post's text limit (maxGraphemes). */
export const BLUESKY_MAX_GRAPHEMES = 300;
/** The largest image app.bsky.embed.images takes (its `image` blob's maxSize). */
export const BLUESKY_MAX_IMAGE_BYTES = 1_000_000;
/** Alt text is cut here: the Bluesky app's own limit, ample for the image's description of the edit. */
const MAX_ALT_GRAPHEMES = 2000;
/** How long the link reads in the post; the facet links the whole URL. */
const LINK_TEXT_GRAPHEMES = 40;
const POST_COLLECTION = "app.bsky.feed.post";

const HANDLE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/u;
const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/u;
/** The shape of app passwords (Settings → Privacy and security → App passwords), so an account's main password is not stored by mistake. */
const APP_PASSWORD = /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/u;

/** A URL as the Bluesky app shows one: without its scheme, cut to 40 clusters. */
export function linkText(url: string): string {
  return truncateGraphemes(url.replace(/^https?:\/\//u, ""), LINK_TEXT_GRAPHEMES);
}

const S32 = "234567abcdefghijklmnopqrstuvwxyz";

function s32(value: bigint, length: number): string {
  let text = "";
  for (let rest = value; text.length < length; rest >>= 5n) text = S32[Number(rest & 31n)] + text;
  return text;
}

/**
 * The post's record key: a TID (13 base32-sortable characters of a 64-bit number, top bit 0,
 * then 53 bits of microseconds since the epoch and a 10-bit clock id) whose time is when the
 * change was detected, its microseconds and clock id taken from the SHA-256 of the delivery id,
 * so each delivery has its own key and every retry the same one.
 */
export async function recordKey(deliveryId: string, detectedAt: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(deliveryId)));
  const spread = ((digest[0]! << 12) | (digest[1]! << 4) | (digest[2]! >> 4)) & 0xfffff;
  const micros = BigInt(Date.parse(detectedAt)) * 1000n + BigInt(spread % 1000);
  const clockId = BigInt(spread >> 10);
  return `${s32(micros, 11)}${s32(clockId, 2)}`;
}

export interface BlobRef {
  $type: "blob";
  ref: { $link: string };
  mimeType: string;
  size: number;
}

/** The app.bsky.feed.post record: text, a link facet over the link's UTF-8 bytes, the image with its alt text and aspect ratio. */
export function postRecord(notice: EditNotice, image: { blob: BlobRef; alt: string; width: number; height: number } | null): Record<string, unknown> {
  const headline = notice.change.title || notice.article.title;
  const post = composePost(
    { site: notice.article.site, headline, summary: notice.change.summary, kinds: notice.change.kinds, link: notice.links.redline ?? notice.links.article },
    { maxLength: BLUESKY_MAX_GRAPHEMES, measure: countGraphemes, linkText },
  );
  const index = utf8Range(post.text, post.link.start, post.link.end);
  return {
    $type: POST_COLLECTION,
    text: post.text,
    createdAt: new Date(Date.parse(notice.change.detectedAt)).toISOString(),
    langs: [languageOf(headline)],
    facets: [{ index, features: [{ $type: "app.bsky.richtext.facet#link", uri: post.link.uri }] }],
    ...(image && {
      embed: {
        $type: "app.bsky.embed.images",
        images: [{ alt: truncateGraphemes(image.alt, MAX_ALT_GRAPHEMES), image: image.blob, aspectRatio: { width: image.width, height: image.height } }],
      },
    }),
  };
}

/** An XRPC answer: the JSON body, or the error's name and message (`{"error": "ExpiredToken", "message": …}`). */
type XrpcAnswer<T> = { ok: true; body: T } | { ok: false; status: number; error: string; detail: string; retryAfter: number | undefined };

async function xrpc<T>(context: ChannelContext, service: string, method: string, init: { token?: string; json?: unknown; bytes?: Uint8Array; contentType?: string }): Promise<XrpcAnswer<T>> {
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers["Content-Type"] = "application/json";
  if (init.contentType) headers["Content-Type"] = init.contentType;
  const response = await context.fetch(`${service}/xrpc/${method}`, {
    method: "POST",
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.bytes,
  });
  const text = await response.text();
  if (response.ok) return { ok: true, body: JSON.parse(text) as T };
  let error = "";
  let detail = shortDetail(text);
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === "string") error = parsed.error;
    if (typeof parsed.message === "string") detail = shortDetail(parsed.message);
  } catch {
    // Not JSON (a proxy's error page): its text is the detail.
  }
  // `ratelimit-reset` (the epoch second the window reopens) comes with every answer; only a 429 waits for it.
  const reset = response.status === 429 ? Number(response.headers.get("ratelimit-reset") ?? NaN) : NaN;
  const retryAfter = Number.isFinite(reset) ? Math.max(0, Math.ceil(reset - context.nowMs / 1000)) : retryAfterSeconds(response.headers.get("Retry-After"), context.nowMs);
  return { ok: false, status: response.status, error, detail, retryAfter };
}

/** Whether an error means the access (or refresh) token is no longer good, rather than the request. */
const expired = (answer: XrpcAnswer<unknown>): boolean => !answer.ok && (answer.error === "ExpiredToken" || answer.error === "InvalidToken");

/** A refused XRPC call in the framework's terms: 429 and 5xx retry (after `ratelimit-reset`), anything else fails for good. */
function failure(step: string, answer: Extract<XrpcAnswer<unknown>, { ok: false }>): DeliveryResult {
  const reason = `Bluesky (${step}) answered ${answer.status}${answer.error ? ` ${answer.error}` : ""}${answer.detail ? `: ${answer.detail}` : ""}`;
  if (answer.status === 429 || answer.status >= 500) {
    return answer.retryAfter === undefined ? { outcome: "retry", reason } : { outcome: "retry", reason, retryAfterSeconds: answer.retryAfter };
  }
  return { outcome: "failed", reason };
}

/**
 * The subscription a delivery is for: the delivery id is `<change id>/<subscription id>`, a test
 * send's `<change id or "sample">/<subscription id>/test-<uuid>`; a change id has no slash.
 */
export const subscriptionOf = (deliveryId: string): string => deliveryId.split("/")[1] ?? deliveryId;
/** A session's sealed value has its own additional data, so it never opens as the subscription's secret, or on another row. */
const sessionSealName = (subscriptionId: string) => `bluesky-session:${subscriptionId}`;

type Sessions = {
  load(): Promise<BlueskySession | null>;
  save(session: BlueskySession): Promise<void>;
};

async function sessionsFor(notice: EditNotice, context: ChannelContext): Promise<Sessions | null> {
  const keyring = await keyringFrom(context.env);
  if (!keyring) return null;
  const subscriptionId = subscriptionOf(notice.deliveryId);
  const store = new BlueskySessions(context.env.DB);
  return {
    async load() {
      const sealed = await store.sealed(subscriptionId);
      if (sealed === null) return null;
      try {
        return JSON.parse(await open(keyring, sessionSealName(subscriptionId), sealed)) as BlueskySession;
      } catch {
        // Sealed under a key no longer held: signing in again replaces it.
        return null;
      }
    },
    async save(session) {
      await store.save(subscriptionId, await seal(keyring, sessionSealName(subscriptionId), JSON.stringify(session)), context.nowMs);
    },
  };
}

type SessionOutcome = { session: BlueskySession } | { result: DeliveryResult };

async function signIn(config: BlueskyConfig, password: string, context: ChannelContext, sessions: Sessions): Promise<SessionOutcome> {
  const answer = await xrpc<BlueskySession>(context, config.service, "com.atproto.server.createSession", { json: { identifier: config.identifier, password } });
  if (!answer.ok) return { result: failure("createSession", answer) };
  const session = { accessJwt: answer.body.accessJwt, refreshJwt: answer.body.refreshJwt, did: answer.body.did };
  await sessions.save(session);
  return { session };
}

async function refresh(config: BlueskyConfig, password: string, context: ChannelContext, sessions: Sessions, stale: BlueskySession): Promise<SessionOutcome> {
  const answer = await xrpc<BlueskySession>(context, config.service, "com.atproto.server.refreshSession", { token: stale.refreshJwt });
  if (!answer.ok) return expired(answer) ? signIn(config, password, context, sessions) : { result: failure("refreshSession", answer) };
  const session = { accessJwt: answer.body.accessJwt, refreshJwt: answer.body.refreshJwt, did: answer.body.did };
  await sessions.save(session);
  return { session };
}

/** Uploads the image (when there is one that fits) and writes the post; an expired token comes back as such for the caller to refresh. */
async function post(notice: EditNotice, image: RedlineImage | null, config: BlueskyConfig, session: BlueskySession, context: ChannelContext): Promise<DeliveryResult | "expired"> {
  let embedded: Parameters<typeof postRecord>[1] = null;
  // An image over the embed's limit is left out: the post still links the redline.
  if (image && image.png.byteLength <= BLUESKY_MAX_IMAGE_BYTES) {
    const uploaded = await xrpc<{ blob: BlobRef }>(context, config.service, "com.atproto.repo.uploadBlob", { token: session.accessJwt, bytes: image.png, contentType: "image/png" });
    if (!uploaded.ok) return expired(uploaded) ? "expired" : failure("uploadBlob", uploaded);
    embedded = { blob: uploaded.body.blob, alt: image.alt, width: image.width, height: image.height };
  }
  const written = await xrpc<{ uri: string; cid: string }>(context, config.service, "com.atproto.repo.putRecord", {
    token: session.accessJwt,
    json: { repo: session.did, collection: POST_COLLECTION, rkey: await recordKey(notice.deliveryId, notice.change.detectedAt), record: postRecord(notice, embedded) },
  });
  if (!written.ok) return expired(written) ? "expired" : failure("putRecord", written);
  return { outcome: "delivered", receipt: { uri: written.body.uri, cid: written.body.cid } };
}

export const blueskyChannel: Channel<BlueskyConfig, string> = {
  type: "bluesky",
  parse(body, { allowLoopback }) {
    const service =
      body.service === undefined || body.service === null
        ? BLUESKY_DEFAULT_SERVICE
        : serviceUrl(body, "service", allowLoopback, `the account's PDS, e.g. {"service": "${BLUESKY_DEFAULT_SERVICE}"} (the default)`).origin;
    const identifier = requiredString(body, "identifier", 'the account\'s handle or DID, e.g. {"identifier": "redline.bsky.social"}');
    if (!HANDLE.test(identifier) && !DID.test(identifier)) throw invalidField("identifier", "must be a handle (e.g. redline.bsky.social) or a DID (did:plc:…).");
    const password = requiredString(body, "appPassword", "an app password of the account (xxxx-xxxx-xxxx-xxxx), never its main password");
    if (!APP_PASSWORD.test(password)) throw invalidField("appPassword", "must be an app password (xxxx-xxxx-xxxx-xxxx, made in Settings → Privacy and security → App passwords), never the account's main password.");
    return { config: { service, identifier }, secret: password };
  },
  async deliver(notice, config, password, context) {
    const sessions = await sessionsFor(notice, context);
    // Not for good, as with any sealed secret: the deliveries go out once the operator sets the key.
    if (!sessions) return { outcome: "retry", reason: "The SECRETS_KEY secret is not configured on this Worker: the Bluesky session cannot be sealed." };
    const image = await notice.image();
    const stored = await sessions.load();
    const first = stored ? { session: stored } : await signIn(config, password, context, sessions);
    if ("result" in first) return first.result;
    const attempt = await post(notice, image, config, first.session, context);
    if (attempt !== "expired") return attempt;
    const renewed = await refresh(config, password, context, sessions, first.session);
    if ("result" in renewed) return renewed.result;
    const again = await post(notice, image, config, renewed.session, context);
    return again === "expired" ? { outcome: "failed", reason: "Bluesky refused a session it had just issued (ExpiredToken)" } : again;
  },
  describe: (config) => `Bluesky post as ${config.identifier} on ${config.service}`,
};
