/**
 * Every queue Redline produces to or consumes from, named once. wrangler.toml must declare the
 * same names (test/queues.test.ts reads it and compares).
 */
export const QUEUES = {
  /** One message per article check, sent by the dispatcher (the cron). */
  checks: "redline-checks",
  /** Check messages that exhausted `max_retries`; counted in D1, shown in /api/status. */
  checksDeadLetter: "redline-checks-dlq",
  /** One message per recorded change, then one per matching subscription. */
  webhooks: "redline-webhooks",
  /** Deliveries that exhausted their retries; counted on the subscription. */
  webhooksDeadLetter: "redline-webhooks-dlq",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Queues accept at most 100 messages per sendBatch call (Cloudflare Queues limits). */
export const SEND_BATCH_LIMIT = 100;
/**
 * The longest `delaySeconds` Redline asks of Queues: 12 hours. Cloudflare's limits page said
 * 12 h for sending or retrying and now says 24 h; the smaller is safe under both.
 */
export const QUEUE_MAX_DELAY_SECONDS = 12 * 60 * 60;
