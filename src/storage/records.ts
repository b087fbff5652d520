/**
 * Every record Redline stores: articles, versions, changes, subscriptions and cron runs (D1
 * rows; version records also as KV snapshots). `docs/storage.md` documents every table, column
 * and key; keep the two in step.
 */
import type { SourceFilter, SourceStatus, SourceType } from "../discovery/model";
import type { ChangeKind, DiffStats, FieldChange, FieldKind } from "../model";

/**
 * `blocked`: the host's robots.txt disallows the URL; it is not fetched until a later robots.txt allows it.
 * `retired`: past its `retireAt` (the trackDays of the source that found it): no longer checked, history kept.
 */
export type ArticleStatus = "active" | "removed" | "failing" | "blocked" | "retired";

export interface ArticleRecord {
  id: string;
  /** Canonical URL the article was added with. */
  url: string;
  site: string;
  /** Headline of the latest version ("" until the first capture). */
  title: string;
  /** False once tracking is stopped with DELETE; history stays readable. */
  tracking: boolean;
  status: ArticleStatus;
  firstSeenAt: string;
  lastCheckedAt: string | null;
  lastChangedAt: string;
  nextCheckAt: string;
  versionCount: number;
  changeCount: number;
  latestHash: string | null;
  finalUrl: string | null;
  /** Validators of the latest 200 response, sent back as If-None-Match / If-Modified-Since. */
  etag: string | null;
  lastModified: string | null;
  consecutiveFailures: number;
  /** Consecutive 404/410 answers; the second one records a `removed` change. */
  consecutiveMissing: number;
  lastError: string | null;
  /** When a check retires it (a source's trackDays after discovery); null: tracked until stopped. */
  retireAt: string | null;
}

export interface VersionRecord {
  n: number;
  capturedAt: string;
  url: string;
  finalUrl: string;
  /** The page's `<link rel="canonical">` (or `og:url`); absent on versions stored before it was read. */
  canonicalUrl?: string | null;
  httpStatus: number;
  charset: string;
  contentHash: string;
  title: string;
  byline: string | null;
  publishedAt: string | null;
  modifiedAt: string | null;
  paragraphs: string[];
  /** The response as served; absent on versions stored before raw captures were kept. */
  raw?: RawCapture;
  /** SHA-256 of version n−1's record (canonical JSON), null for version 1; absent before the chain existed. */
  prevRecordSha256?: string | null;
}

export interface RawCapture {
  /** SHA-256 of the body bytes as served; the `raw:` key. */
  sha256: string;
  size: number;
  status: number;
  contentType: string | null;
  /** Response headers in the order served. */
  headers: Array<[string, string]>;
  /** False when the compressed body would exceed KV's value limit; `reason` says so. */
  stored: boolean;
  reason?: string;
}

/** What a version list shows without reading each version. */
export interface VersionSummary {
  n: number;
  capturedAt: string;
  contentHash: string;
  title: string;
  modifiedAt: string | null;
}

export interface ChangeRecord {
  /** `<articleId>-<seq>`. */
  id: string;
  articleId: string;
  seq: number;
  url: string;
  title: string;
  /** Version numbers; `from` is null for `created`, `to` is null for `removed`. */
  from: number | null;
  to: number | null;
  detectedAt: string;
  kinds: ChangeKind[];
  summary: string;
  /** 0–1, see src/diffing/significance.ts; absent on changes recorded before it was scored. */
  significance?: number;
  fields?: Partial<Record<FieldKind, FieldChange>>;
  stats?: DiffStats;
  /** With kind `revert`: the older version whose content `to` repeats exactly. */
  revertOf?: number;
}

export type ChangeListItem = Pick<
  ChangeRecord,
  "id" | "articleId" | "url" | "title" | "from" | "to" | "detectedAt" | "kinds" | "summary" | "significance"
>;

/** The last run of the cron as it was before the checks queue (issue 13): it checked inline. Kept, and migrated, as history. */
export interface CronRunRecord {
  startedAt: string;
  finishedAt: string;
  /** Articles due at this run. */
  due: number;
  checked: number;
  changed: number;
  failed: number;
  /** Due articles left for the next run because of the per-run cap. */
  deferred: number;
}

/** The dispatcher's latest tick (the Cron Trigger): what was due, what it sent to the checks queue, and why the rest waits. */
export interface DispatchRecord {
  /** The tick's scheduled time. */
  at: string;
  finishedAt: string;
  /** Tracked articles due at this tick (`next_check_at` within the tolerance), leased or not. */
  due: number;
  /** Sent to `redline-checks` (and leased). */
  dispatched: number;
  /** due − dispatched. */
  deferred: number;
  deferredBy: {
    /** Still leased by an earlier tick whose check has not committed yet. */
    lease: number;
    /** Over their host's budget for this tick (its interval, Crawl-delay, or a Retry-After push-back). */
    politeness: number;
    /** Over DISPATCH_BATCH. */
    batchCap: number;
  };
  /** sendBatch calls made (≤ 100 messages each, sources, entries and articles together). */
  sendBatches: number;
  /**
   * The tick's sources (discovery): due (active or failing, `next_check_at` within the
   * tolerance), sent first, the rest deferred (`leased`: still leased by an earlier tick, the
   * others over their host's budget or the batch). Absent in records from before discovery.
   */
  sources?: { due: number; dispatched: number; deferred: number; leased: number };
  /**
   * Source entries sent again (discovery): `due`, the `queued` and `failed` entries of sources
   * not paused whose `retry_at` has passed; `resent`, their `discover` messages sent this tick
   * (at most DISPATCH_ENTRIES, oldest first; the rest on later ticks). Absent in records from before.
   */
  entries?: { due: number; resent: number };
  /** Set when a sendBatch failed: those articles and sources stay leased until the lease expires, then are due again (entries: after their new `retry_at`). */
  error?: string;
}

export interface ChangeFilter {
  /** Any of these kinds; null for every kind. */
  kinds: ChangeKind[] | null;
  /** 0 lets everything through. */
  minSignificance: number;
}

export interface SubscriptionFilter extends ChangeFilter {
  /** Only this article's changes; null for every article. */
  articleId: string | null;
  /** Only articles on this host (e.g. `en.yna.co.kr`); null for every site. */
  site: string | null;
}

export interface SubscriptionRecord {
  id: string;
  /** Where changes are POSTed. */
  url: string;
  filter: SubscriptionFilter;
  /** HMAC-SHA256 key for the signature header; returned once, when the subscription is created. */
  secret: string;
  createdAt: string;
  /** The Worker's origin as the subscriber called it, for the links in each delivery. */
  origin: string;
  /** Deliveries that exhausted their retries and went to the dead-letter queue. */
  deadLettered: number;
  lastDeadLetter: { changeId: string; at: string } | null;
}

/** A source (feed, sitemap, section page) that finds articles: a `sources` row, camelCase. */
export interface SourceRecord {
  id: string;
  /** Canonical URL (normalizeArticleUrl). */
  url: string;
  site: string;
  /** null until its first check detects it (an OPML outline without a type). */
  type: SourceType | null;
  title: string;
  status: SourceStatus;
  filter: SourceFilter;
  trackDays: number | null;
  intervalMs: number;
  createdAt: string;
  lastCheckedAt: string | null;
  /** Epoch ms. */
  nextCheckAt: number;
  leaseUntil: number | null;
  etag: string | null;
  lastModified: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  entriesSeen: number;
  articlesTracked: number;
  websubHub: string | null;
  websubTopic: string | null;
  /** The HMAC key of the hub's notifications: never shown. */
  websubSecret: string | null;
  websubState: string | null;
  websubLeaseUntil: number | null;
  /** Why the last subscription failed or was denied (the hub's `hub.reason`), or null. */
  websubError: string | null;
  /** Notifications answered but ignored: a missing or wrong `X-Hub-Signature`. */
  websubIgnored: number;
  revision: number;
}

/** One source that found an article (`article_sources`), as the article shows it. */
export interface ArticleSource {
  id: string;
  /** The source's URL when it found the article (kept after the source is deleted). */
  url: string;
  foundAt: string;
  entryTitle: string | null;
}
