/**
 * One check of one article: fetch, extract, compare, and record what happened. This is the
 * only place that writes versions and changes, and it writes them in an order that keeps the
 * history consistent if the Worker dies half-way (see docs/storage.md, "Write order").
 */
import {
  contentHash,
  diffInHistory,
  EVENT_SIGNIFICANCE,
  normalizeContent,
  summarizeCreated,
  summarizeRelocated,
  summarizeRemoved,
  summarizeRestored,
  type VersionIdentity,
} from "../diffing";
import { quoteInput } from "../api/problem";
import { extractArticle } from "../extraction";
import { fetchPage, type FetchOptions } from "../fetching/fetch-page";
import type { ArticleContent, ChangeKind, VersionDiff } from "../model";
import { nextCheckAt, type RetryAfter } from "../scheduling";
import { recordDigest } from "../archive/chain";
import { sha256Hex } from "../digest";
import type { ArticleRecord, ChangeRecord, RawCapture, VersionRecord, VersionSummary } from "../storage/records";
import type { RedlineStore } from "../storage/store";

export interface Tracker {
  store: RedlineStore;
  fetchOptions: Omit<FetchOptions, "etag" | "lastModified">;
  /** Tells subscribers (webhooks) about a change once it is stored. */
  announce?: (change: ChangeRecord) => Promise<void>;
}

/**
 * Stores a change, then announces it. A failed announcement is logged, not thrown: the change
 * is recorded either way, and the check must not fail because a queue is unavailable.
 */
async function recordChange(tracker: Tracker, change: ChangeRecord): Promise<void> {
  await tracker.store.putChange(change);
  try {
    await tracker.announce?.(change);
  } catch (error) {
    console.error(`redline: could not announce change ${change.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A page that fetched and extracted cleanly. */
interface Capture {
  finalUrl: string;
  canonicalUrl: string | null;
  httpStatus: number;
  charset: string;
  etag: string | null;
  lastModified: string | null;
  content: ArticleContent;
  hash: string;
  /** The body as served, and what `VersionRecord.raw` will say of it (`stored` is decided when written). */
  body: Uint8Array;
  raw: Omit<RawCapture, "stored" | "reason">;
}

type CaptureAttempt =
  | { kind: "captured"; capture: Capture }
  | { kind: "not-modified" }
  | { kind: "missing"; status: number }
  | { kind: "failed"; reason: string; retryAfter: RetryAfter | null };

export type CheckOutcome = "created" | "new-version" | "unchanged" | "relocated" | "missing" | "removed" | "restored" | "failed";

export interface CheckResult {
  outcome: CheckOutcome;
  changed: boolean;
  article: ArticleRecord;
  /**
   * The version this check stored, or null when it stored none (unchanged, failed, missing,
   * removed, relocated, restored with the same text): `article.versionCount` names the latest.
   * Null rather than the latest version read back, which would cost every such check a KV read.
   */
  version: VersionSummary | null;
  change: ChangeRecord | null;
  error: string | null;
}

/** A first capture that cannot become version 1; nothing has been stored. */
export class FirstCaptureError extends Error {}

const iso = (ms: number) => new Date(ms).toISOString();

async function attemptCapture(tracker: Tracker, url: string, validators: Pick<FetchOptions, "etag" | "lastModified">): Promise<CaptureAttempt> {
  const fetched = await fetchPage(url, { ...tracker.fetchOptions, ...validators });
  switch (fetched.kind) {
    case "not-modified":
      return { kind: "not-modified" };
    case "missing":
      return { kind: "missing", status: fetched.status };
    case "transient":
      return { kind: "failed", reason: fetched.reason, retryAfter: fetched.retryAfter };
    case "refused":
      return { kind: "failed", reason: fetched.reason, retryAfter: null };
    case "ok": {
      const extraction = extractArticle(fetched.html, fetched.finalUrl);
      if (!extraction.ok) return { kind: "failed", reason: extraction.reason, retryAfter: null };
      const content = normalizeContent(extraction.article);
      return {
        kind: "captured",
        capture: {
          finalUrl: fetched.finalUrl,
          canonicalUrl: extraction.canonicalUrl,
          httpStatus: fetched.status,
          charset: fetched.charset,
          etag: fetched.etag,
          lastModified: fetched.lastModified,
          content,
          hash: await contentHash(content),
          body: fetched.body,
          raw: {
            sha256: await sha256Hex(fetched.body),
            size: fetched.body.byteLength,
            status: fetched.status,
            contentType: fetched.headers.find(([name]) => name === "content-type")?.[1] ?? null,
            headers: fetched.headers,
          },
        },
      };
    }
  }
}

/** Writes the raw body first, so a version never names a blob that was not stored. */
async function versionFrom(
  store: RedlineStore,
  article: ArticleRecord,
  n: number,
  capture: Capture,
  capturedAt: string,
  previous: VersionRecord | null,
): Promise<VersionRecord> {
  const stored = await store.putRaw(capture.raw.sha256, capture.body);
  return {
    n,
    capturedAt,
    url: article.url,
    finalUrl: capture.finalUrl,
    canonicalUrl: capture.canonicalUrl,
    httpStatus: capture.httpStatus,
    charset: capture.charset,
    contentHash: capture.hash,
    ...capture.content,
    raw: { ...capture.raw, stored, ...(stored ? {} : { reason: "the compressed body exceeds KV's 25 MiB value limit" }) },
    prevRecordSha256: previous ? await recordDigest(previous) : null,
  };
}

function summaryOf(version: VersionRecord): VersionSummary {
  const { n, capturedAt, contentHash: hash, title, modifiedAt } = version;
  return { n, capturedAt, contentHash: hash, title, modifiedAt };
}

function contentOf(version: VersionRecord): ArticleContent {
  const { title, byline, publishedAt, modifiedAt, paragraphs } = version;
  return { title, byline, publishedAt, modifiedAt, paragraphs };
}


function changeFor(
  article: ArticleRecord,
  event: {
    from: number | null;
    to: number | null;
    detectedAt: string;
    kinds: ChangeKind[];
    summary: string;
    significance: number;
    diff?: VersionDiff;
    fields?: ChangeRecord["fields"];
  },
): ChangeRecord {
  const seq = article.changeCount + 1;
  return {
    id: `${article.id}-${seq}`,
    articleId: article.id,
    seq,
    url: article.url,
    title: article.title,
    from: event.from,
    to: event.to,
    detectedAt: event.detectedAt,
    kinds: event.kinds,
    summary: event.summary,
    significance: event.significance,
    ...(event.diff ? { fields: event.diff.fields, stats: event.diff.stats } : {}),
    ...(event.fields ? { fields: event.fields } : {}),
    ...(event.diff?.revertOf ? { revertOf: event.diff.revertOf } : {}),
  };
}

/** The article record after `version` became its latest. */
function advancedTo(article: ArticleRecord, version: VersionRecord, capture: Capture | null): ArticleRecord {
  return {
    ...article,
    title: version.title,
    versionCount: version.n,
    changeCount: article.changeCount + 1,
    latestHash: version.contentHash,
    finalUrl: version.finalUrl,
    lastChangedAt: version.capturedAt,
    ...(capture ? { etag: capture.etag, lastModified: capture.lastModified } : {}),
  };
}

/** `history`: the article's earlier versions, which tell whether `version` reverts to one of them. */
function changeForVersion(
  article: ArticleRecord,
  previous: VersionRecord | null,
  version: VersionRecord,
  extraKinds: ChangeKind[],
  history: readonly VersionIdentity[],
): ChangeRecord {
  const titled = { ...article, title: version.title };
  if (!previous) {
    return changeFor(titled, { from: null, to: version.n, detectedAt: version.capturedAt, kinds: ["created"], summary: summarizeCreated(contentOf(version)), significance: EVENT_SIGNIFICANCE.created });
  }
  const diff = diffInHistory(previous, version, history);
  return changeFor(titled, {
    from: previous.n,
    to: version.n,
    detectedAt: version.capturedAt,
    kinds: [...diff.kinds, ...extraKinds],
    summary: [...(extraKinds.includes("restored") ? [summarizeRestored()] : []), diff.summary].join("; "),
    significance: diff.significance,
    diff,
  });
}

/**
 * Stores `capture` as the next version. KV has no transactions, so the version is written
 * first and the article last: a check that dies in between leaves a version the article does
 * not count yet. The next check finds it here (the number is taken), adopts it with its change
 * record, and only then decides whether its own capture is new, so numbers never skip or repeat
 * and no content is stored twice in a row.
 */
async function recordVersion(
  tracker: Tracker,
  article: ArticleRecord,
  capture: Capture,
  capturedAt: string,
  extraKinds: ChangeKind[],
): Promise<{ article: ArticleRecord; version: VersionRecord; change: ChangeRecord }> {
  const { store } = tracker;
  let current = article;
  let previous = current.versionCount > 0 ? await store.getVersion(current.id, current.versionCount) : null;
  for (;;) {
    const n = current.versionCount + 1;
    const existing = await store.getVersion(current.id, n);
    const version = existing ?? (await versionFrom(store, current, n, capture, capturedAt, previous));
    if (!existing) await store.putVersion(current.id, version);
    const isThisCapture = version.contentHash === capture.hash;
    // A revert (A → B → A) is still stored as a version of its own: the archive must show the
    // page went back, and when. The version list's metadata carries each hash: one `list`, no reads.
    const history = previous ? await store.listVersions(current.id, version.n - 1) : [];
    const change = changeForVersion(current, previous, version, isThisCapture ? extraKinds : [], history);
    await recordChange(tracker, change);
    current = advancedTo(current, version, isThisCapture ? capture : null);
    if (isThisCapture) return { article: current, version, change };
    previous = version;
  }
}

/** `retryAfter`: what the server answering a failed check asked for (a 429's or 503's Retry-After). */
function scheduled(article: ArticleRecord, nowMs: number, retryAfter: RetryAfter | null = null): ArticleRecord {
  const next = nextCheckAt({
    now: nowMs,
    lastChangedAt: Date.parse(article.lastChangedAt),
    firstSeenAt: Date.parse(article.firstSeenAt),
    consecutiveFailures: article.consecutiveFailures,
    retryAfter,
  });
  return { ...article, lastCheckedAt: iso(nowMs), nextCheckAt: iso(next) };
}

function healthy(article: ArticleRecord): ArticleRecord {
  return { ...article, status: "active", consecutiveFailures: 0, consecutiveMissing: 0, lastError: null };
}

/** Creates the article from its first capture, or throws {@link FirstCaptureError} having stored nothing. */
export async function trackNewArticle(tracker: Tracker, input: { id: string; url: string }, nowMs: number): Promise<CheckResult> {
  const attempt = await attemptCapture(tracker, input.url, {});
  if (attempt.kind !== "captured") {
    const reason =
      attempt.kind === "failed" ? attempt.reason : attempt.kind === "missing" ? `the page answered HTTP ${attempt.status}` : "unexpected 304";
    throw new FirstCaptureError(`first capture of ${quoteInput(input.url)} failed: ${reason}`);
  }
  const now = iso(nowMs);
  const blank: ArticleRecord = {
    id: input.id,
    url: input.url,
    site: new URL(input.url).hostname,
    title: "",
    tracking: true,
    status: "active",
    firstSeenAt: now,
    lastCheckedAt: now,
    lastChangedAt: now,
    nextCheckAt: now,
    versionCount: 0,
    changeCount: 0,
    latestHash: null,
    finalUrl: null,
    etag: null,
    lastModified: null,
    consecutiveFailures: 0,
    consecutiveMissing: 0,
    lastError: null,
  };
  const recorded = await recordVersion(tracker, blank, attempt.capture, now, []);
  const article = scheduled(recorded.article, nowMs);
  await tracker.store.putArticle(article);
  return { outcome: "created", changed: true, article, version: summaryOf(recorded.version), change: recorded.change, error: null };
}

async function runCheck(tracker: Tracker, stored: ArticleRecord, nowMs: number): Promise<CheckResult> {
  const { store } = tracker;
  const now = iso(nowMs);
  const attempt = await attemptCapture(tracker, stored.url, { etag: stored.etag, lastModified: stored.lastModified });
  const wasRemoved = stored.status === "removed";

  if (attempt.kind === "failed" || (attempt.kind === "missing" && !wasRemoved && stored.consecutiveMissing === 0)) {
    const firstMiss = attempt.kind === "missing";
    const failing: ArticleRecord = {
      ...stored,
      status: wasRemoved ? "removed" : firstMiss ? stored.status : "failing",
      consecutiveFailures: stored.consecutiveFailures + 1,
      consecutiveMissing: firstMiss ? 1 : 0,
      lastError: firstMiss ? `HTTP ${attempt.status} (removal is recorded if the next check sees it too)` : attempt.reason,
    };
    const article = scheduled(failing, nowMs, attempt.kind === "failed" ? attempt.retryAfter : null);
    await store.putArticle(article);
    return { outcome: firstMiss ? "missing" : "failed", changed: false, article, version: null, change: null, error: article.lastError };
  }

  if (attempt.kind === "missing") {
    if (wasRemoved) {
      const article = scheduled({ ...stored, consecutiveMissing: stored.consecutiveMissing + 1 }, nowMs);
      await store.putArticle(article);
      return { outcome: "missing", changed: false, article, version: null, change: null, error: null };
    }
    const change = changeFor(stored, {
      from: stored.versionCount,
      to: null,
      detectedAt: now,
      kinds: ["removed"],
      summary: summarizeRemoved(attempt.status),
      significance: EVENT_SIGNIFICANCE.removed,
    });
    await recordChange(tracker, change);
    const article = scheduled(
      {
        ...stored,
        status: "removed",
        changeCount: change.seq,
        lastChangedAt: now,
        consecutiveFailures: 0,
        consecutiveMissing: stored.consecutiveMissing + 1,
        lastError: null,
      },
      nowMs,
    );
    await store.putArticle(article);
    return { outcome: "removed", changed: true, article, version: null, change, error: null };
  }

  const unchanged = attempt.kind === "not-modified" || attempt.capture.hash === stored.latestHash;
  if (unchanged) {
    const refreshed =
      attempt.kind === "captured"
        ? { ...stored, etag: attempt.capture.etag, lastModified: attempt.capture.lastModified, finalUrl: attempt.capture.finalUrl }
        : stored;
    // The same text at a new address (a site moving its pages) is a change of its own: no new
    // version, since the content is what versions hold, but readers and archivists see the move.
    const relocated =
      attempt.kind === "captured" && stored.finalUrl !== null && attempt.capture.finalUrl !== stored.finalUrl
        ? { before: stored.finalUrl, after: attempt.capture.finalUrl }
        : null;
    if (!wasRemoved && !relocated) {
      const article = scheduled(healthy(refreshed), nowMs);
      await store.putArticle(article);
      return { outcome: "unchanged", changed: false, article, version: null, change: null, error: null };
    }
    const change = changeFor(stored, {
      from: stored.versionCount,
      to: stored.versionCount,
      detectedAt: now,
      kinds: [...(relocated ? (["final-url"] as const) : []), ...(wasRemoved ? (["restored"] as const) : [])],
      summary: [...(wasRemoved ? [summarizeRestored()] : []), ...(relocated ? [summarizeRelocated()] : [])].join("; "),
      significance: wasRemoved ? EVENT_SIGNIFICANCE.restored : EVENT_SIGNIFICANCE.relocated,
      ...(relocated ? { fields: { "final-url": relocated } } : {}),
    });
    await recordChange(tracker, change);
    const article = scheduled(healthy({ ...refreshed, changeCount: change.seq, lastChangedAt: now }), nowMs);
    await store.putArticle(article);
    return { outcome: wasRemoved ? "restored" : "relocated", changed: true, article, version: null, change, error: null };
  }

  const recorded = await recordVersion(tracker, healthy(stored), attempt.capture, now, wasRemoved ? ["restored"] : []);
  const article = scheduled(recorded.article, nowMs);
  await store.putArticle(article);
  return {
    outcome: wasRemoved ? "restored" : "new-version",
    changed: true,
    article,
    version: summaryOf(recorded.version),
    change: recorded.change,
    error: null,
  };
}

/** Checks in flight in this isolate: a second request for the same article joins the first. */
const inFlight = new Map<string, Promise<CheckResult>>();

export function checkArticle(tracker: Tracker, article: ArticleRecord, nowMs: number): Promise<CheckResult> {
  const running = inFlight.get(article.id);
  if (running) return running;
  const check = runCheck(tracker, article, nowMs).finally(() => inFlight.delete(article.id));
  inFlight.set(article.id, check);
  return check;
}
