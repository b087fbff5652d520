// Frozen copy of src/storage/keys.ts at commit 6253bff (the KV-only layout), for test/migrate.test.ts. Do not edit.
/**
 * Every KV key Redline writes is built here (documented in docs/storage.md). Numbers are
 * zero-padded so that KV's lexicographic list order is numeric order.
 */

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** Larger than any epoch-ms timestamp until the year 2286. */
const TIME_CEILING = 9_999_999_999_999;

export const keys = {
  article: (id: string) => `article:${id}`,
  articlePrefix: "article:",
  version: (id: string, n: number) => `version:${id}:${pad(n, 8)}`,
  versionPrefix: (id: string) => `version:${id}:`,
  change: (id: string, seq: number) => `change:${id}:${pad(seq, 8)}`,
  changePrefix: (id: string) => `change:${id}:`,
  /** Newest first: the time part counts down. */
  changeFeed: (detectedAtMs: number, id: string, seq: number) =>
    `changes:${pad(TIME_CEILING - detectedAtMs, 13)}:${id}:${pad(seq, 8)}`,
  changeFeedPrefix: "changes:",
  /** The same index, per site (the article URL's host). */
  siteChangeFeed: (host: string, detectedAtMs: number, id: string, seq: number) =>
    `sitechanges:${host}:${pad(TIME_CEILING - detectedAtMs, 13)}:${id}:${pad(seq, 8)}`,
  siteChangeFeedPrefix: (host: string) => `sitechanges:${host}:`,
  raw: (sha256: string) => `raw:${sha256}`,
  subscription: (id: string) => `subscription:${id}`,
  subscriptionPrefix: "subscription:",
  cronLast: "cron:last",
} as const;

export function idFromArticleKey(key: string): string {
  return key.slice(keys.articlePrefix.length);
}

/** The detection time encoded in a change-feed key listed under `prefix`, for `since` filtering without a read. */
export function detectedAtFromFeedKey(key: string, prefix: string): number {
  return TIME_CEILING - Number(key.slice(prefix.length, prefix.length + 13));
}

/** The sequence number at the end of a `change:<id>:<seq>` key. */
export function seqFromChangeKey(key: string): number {
  return Number(key.slice(key.lastIndexOf(":") + 1));
}
