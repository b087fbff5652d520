/**
 * The channel contract: what every subscription type (webhook, Slack, Discord, email, Mastodon,
 * Bluesky, Wayback) implements, and what the framework (queue.ts, routes.ts) hands it. A
 * channel's parse/describe and message building are pure; only `deliver`/`poll` touch the
 * network, and only through `ChannelContext.fetch`, which applies the host rules.
 */
import type { Env } from "../env";
import type { ChangeRecord } from "../storage/records";

export type ChannelType = "webhook" | "slack" | "discord" | "email" | "mastodon" | "bluesky" | "wayback";

export const CHANNEL_TYPES: readonly ChannelType[] = ["webhook", "slack", "discord", "email", "mastodon", "bluesky", "wayback"];

/** Everything a channel may say about one recorded change (built once per delivery by the framework). */
export interface EditNotice {
  /** `<change id>/<subscription id>`: stable across retries, the idempotency key for every service. */
  deliveryId: string;
  change: ChangeRecord;
  article: { id: string; url: string; title: string; site: string };
  /** Absolute links on this Worker (the subscription's origin). redline/image links are null when the change does not compare two versions. */
  links: { article: string; redline: string | null; imagePng: string | null; imageSvg: string | null; feed: string };
  /** The change's redline image (src/image), rendered on first call; null when there are not two versions. */
  image(): Promise<RedlineImage | null>;
}

export interface RedlineImage {
  png: Uint8Array;
  svg: string;
  alt: string;
  width: number;
  height: number;
}

export type DeliveryResult =
  /** Done. `receipt` is what the service answered worth keeping (a status id, a memento URL). */
  | { outcome: "delivered"; receipt?: Record<string, unknown> }
  /** The framework re-queues a poll message carrying `state`, delayed by `afterSeconds`. */
  | { outcome: "pending"; state: Record<string, unknown>; afterSeconds: number }
  /** Transient (5xx, 429, network): the queue retries with backoff, or after `retryAfterSeconds` when the service said. */
  | { outcome: "retry"; reason: string; retryAfterSeconds?: number }
  /** Permanent (401/403/404/410/422, a refused URL): dead-lettered at once and counted on the subscription. */
  | { outcome: "failed"; reason: string };

export interface ChannelContext {
  /** fetch that refuses private/special addresses per the host rules (refusalReason, ALLOW_LOOPBACK), follows no redirects, and times out. */
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  env: Env;
  nowMs: number;
}

export interface ChannelParseOptions {
  allowLoopback: boolean;
  env: Env;
}

/**
 * One subscription type. `Config` is public (stored as JSON, shown in API answers and pages);
 * `Secret` is sealed with AES-GCM (src/channels/secrets.ts) and never shown again; both must be
 * JSON values. A channel without a secret uses `null`.
 */
export interface Channel<Config, Secret> {
  type: ChannelType;
  /** Validates the create body's own fields; throws problem(400, …) naming the field (the `invalid-params` extension). */
  parse(body: Record<string, unknown>, options: ChannelParseOptions): { config: Config; secret: Secret };
  /** Whether this channel wants a change at all beyond the shared filters (e.g. wayback: only changes that store a new version). */
  wants?(change: ChangeRecord): boolean;
  deliver(notice: EditNotice, config: Config, secret: Secret, context: ChannelContext): Promise<DeliveryResult>;
  /** For channels that answer `pending` (wayback's job status, mastodon's media processing). */
  poll?(notice: EditNotice, state: Record<string, unknown>, config: Config, secret: Secret, context: ChannelContext): Promise<DeliveryResult>;
  /** The public view of config in API answers and on pages (never the secret). */
  describe(config: Config): string;
}

/** Any channel, as the registry holds them (the methods are bivariant, so every Channel<C, S> is one). */
export type AnyChannel = Channel<unknown, unknown>;
