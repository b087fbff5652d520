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

/** `redline-webhooks`: a recorded change to fan out, or one delivery to one subscriber. */
export type WebhookMessage =
  | { type: "change"; articleId: string; seq: number }
  | { type: "delivery"; subscriptionId: string; articleId: string; seq: number };

export type RedlineMessage = CheckMessage | WebhookMessage;
