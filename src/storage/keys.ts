/**
 * Every KV key and every D1 table name Redline uses is named here (docs/storage.md). KV holds
 * only write-once values whose key is the SHA-256 of their content, so a stale KV read can only
 * miss, never return something else.
 */

export const keys = {
  /** A version record, JSON, under the SHA-256 of its canonical JSON (the hash-chain digest). */
  snapshot: (recordSha256: string) => `snapshot:${recordSha256}`,
  /** A raw response body, gzip-compressed, under the SHA-256 of the body as served. */
  raw: (sha256: string) => `raw:${sha256}`,
} as const;

export const tables = {
  articles: "articles",
  versions: "versions",
  changes: "changes",
  subscriptions: "subscriptions",
  runs: "runs",
  hosts: "hosts",
  checkCounts: "check_counts",
  counters: "counters",
  /** One row of counts over `articles` kept by triggers (migrations/0003_article_stats.sql), for /api/status. */
  articleStats: "article_stats",
  /** Discovery (migrations/0004_sources.sql): the sources, the entries they accepted, and what found each article. */
  sources: "sources",
  sourceEntries: "source_entries",
  articleSources: "article_sources",
  /** The Bluesky channel (migrations/0009_bluesky_sessions.sql): each subscription's sealed AT Protocol session. */
  blueskySessions: "bluesky_sessions",
  /** The Wayback Machine channel (migrations/0010_wayback.sql): one Save Page Now capture per version. */
  waybackCaptures: "wayback_captures",
  /** The delivery ledger (migrations/0011_deliveries.sql): one row per change a channel delivered to a subscription, so a queue redelivery never posts it twice. */
  deliveries: "deliveries",
  /** Sign-in (migrations/0007_access.sql): admin-token sessions, and the feed tokens of signed-in users. */
  sessions: "sessions",
  feedTokens: "feed_tokens",
} as const;

/** The `runs` row of the cron trigger. */
export const CRON_RUN = "cron";
/** The `runs` row of the dispatcher's latest tick (src/tracking/dispatch.ts). */
export const DISPATCH_RUN = "dispatch";
/** The `counters` row of check messages that reached the dead-letter queue. */
export const CHECKS_DEAD_LETTERED = "checks-dead-lettered";

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/**
 * The KV-only layout Redline used before D1 (commit 6253bff), read by the migration
 * (src/storage/migrate.ts, docs/storage.md "Migrating from the KV-only layout") and never
 * written. Numbers were zero-padded so KV's lexicographic list order was numeric order. The
 * old `changes:` and `sitechanges:` feed keys are not read: the `changes` table is their index.
 */
export const legacyKeys = {
  article: (id: string) => `article:${id}`,
  articlePrefix: "article:",
  version: (id: string, n: number) => `version:${id}:${pad(n, 8)}`,
  change: (id: string, seq: number) => `change:${id}:${pad(seq, 8)}`,
  subscription: (id: string) => `subscription:${id}`,
  subscriptionPrefix: "subscription:",
  cronLast: "cron:last",
} as const;
