/**
 * Every message type on Redline's queues (src/queues/names.ts). Imports nothing, so env.ts and
 * the producers and consumers can all depend on it without a cycle.
 */

/** `redline-checks`: check one article. */
export interface CheckMessage {
  type: "check";
  articleId: string;
  /** The article's host: politeness keys on it (never on a replay origin's address). */
  host: string;
  /**
   * The dispatcher's time (epoch ms) plus the message's delay: the earliest the check may run.
   * The consumer's clock is `max(now, notBefore)`, so a tick run "as of" a time (tests, the local
   * scheduled endpoint) checks as of that time.
   */
  notBefore: number;
}

/** `redline-checks`: check one source (a feed, sitemap or section page) for new entries. */
export interface SourceCheckMessage {
  type: "source";
  sourceId: string;
  /** The source's host: the same politeness as an article's. */
  host: string;
  notBefore: number;
  /** "websub": a hub's notification asked for it (checked even if the source is not due). */
  reason?: "schedule" | "websub";
}

/** `redline-checks`: the first capture of one entry a source found (throttled per host like any check). */
export interface DiscoverMessage {
  type: "discover";
  sourceId: string;
  /** The entry's URL, normalised (normalizeArticleUrl). */
  url: string;
  /** The entry's host. */
  host: string;
  entryTitle: string | null;
  /** When the source check found it (epoch ms): the article's `sources[].foundAt`. */
  foundAt: number;
  notBefore: number;
}

/** Every message on `redline-checks`. */
export type ChecksQueueMessage = CheckMessage | SourceCheckMessage | DiscoverMessage;

/**
 * `redline-webhooks` (every channel, not only webhooks): a recorded change to fan out, one
 * delivery of it to one subscription, or a delivery's later look at a service that answered
 * `pending` (src/channels/queue.ts), carrying what the channel asked to be handed back.
 */
export type WebhookMessage =
  | { type: "change"; articleId: string; seq: number }
  | { type: "delivery"; subscriptionId: string; articleId: string; seq: number }
  | { type: "poll"; subscriptionId: string; articleId: string; seq: number; state: Record<string, unknown> };

export type RedlineMessage = ChecksQueueMessage | WebhookMessage;
