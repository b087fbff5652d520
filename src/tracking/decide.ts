/**
 * The state transition of one check, as a pure function: given the article's head, what the
 * fetch saw, and what the effectful code looked up (the previous version's record and the revert
 * target, needed only when the content changed), it returns the next head and the version and
 * change to store. src/tracking/check.ts does the I/O around it: fetch → decide → commit, or
 * re-read the head and decide again when another writer moved it first.
 */
import {
  diffVersions,
  EVENT_SIGNIFICANCE,
  summarizeCreated,
  summarizeRelocated,
  summarizeRemoved,
  summarizeRestored,
  asRevert,
} from "../diffing";
import type { ArticleContent, ChangeKind, VersionDiff } from "../model";
import { nextCheckAt, type RetryAfter } from "../scheduling";
import type { ArticleRecord, ChangeRecord, RawCapture, VersionRecord, VersionSummary } from "../storage/records";
import type { ArticleHead } from "../storage/store";

/** A page that fetched and extracted cleanly. */
export interface Capture {
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

export type CaptureAttempt =
  | { kind: "captured"; capture: Capture }
  | { kind: "not-modified" }
  | { kind: "missing"; status: number }
  | { kind: "failed"; reason: string; retryAfter: RetryAfter | null }
  /** The host's robots.txt disallows the URL: nothing was fetched. */
  | { kind: "blocked"; reason: string }
  /** The check is at or after the article's `retireAt` ({@link retirementDue}): nothing was fetched. */
  | { kind: "retired" };

export type CheckOutcome = "created" | "new-version" | "unchanged" | "relocated" | "missing" | "removed" | "restored" | "failed" | "blocked" | "retired";

/** A check at `nowMs` retires the article instead of fetching it: its source's trackDays are over. */
export function retirementDue(article: ArticleRecord, nowMs: number): boolean {
  return article.tracking && article.retireAt !== null && Date.parse(article.retireAt) <= nowMs;
}

/** A blocked article is looked at again when its host's robots.txt is next fetched (src/politeness: cached 24 h). */
export const BLOCKED_RECHECK_MS = 24 * 60 * 60 * 1000;

/** What the effectful code looked up for a capture with new content (see {@link needsContent}). */
export interface CheckContext {
  nowMs: number;
  /** The head's latest version record; null for a first capture. */
  previous: VersionRecord | null;
  /** Its digest (the `versions.record_sha256` of the head), the new version's `prevRecordSha256`. */
  previousDigest: string | null;
  /** The newest earlier version whose content the capture repeats, or null. */
  revertOf: number | null;
  /** Whether the raw body was stored (false: too large for KV). */
  rawStored: boolean;
}

export interface Decision {
  outcome: CheckOutcome;
  changed: boolean;
  /** The next head. */
  article: ArticleRecord;
  /** A new version to store, or null. */
  version: VersionRecord | null;
  change: ChangeRecord | null;
  /** The article's latest version after this check, as the API shows it. */
  latest: VersionSummary | null;
  error: string | null;
  /** The diff `change` records when it compares two versions, else null (what the change's search row is made of). */
  diff: VersionDiff | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** True when the capture's content differs from the head's: only then does decide need a context beyond `nowMs`. */
export function needsContent(head: ArticleHead, attempt: CaptureAttempt): boolean {
  return attempt.kind === "captured" && attempt.capture.hash !== head.article.latestHash;
}

export function summaryOf(version: VersionRecord): VersionSummary {
  const { n, capturedAt, contentHash, title, modifiedAt } = version;
  return { n, capturedAt, contentHash, title, modifiedAt };
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

/**
 * The change that records `version` as the article's next version after `previous` (null: the
 * first, `created`) and `revertOf` the newest earlier version whose content it repeats (A → B → A), or
 * null; its sequence number is `article.changeCount + 1`. Also used by the KV
 * migration to record a leftover version the old layout had not counted yet, as the old code's
 * next check would have.
 */
export function changeForVersion(article: ArticleRecord, previous: VersionRecord | null, version: VersionRecord, extraKinds: ChangeKind[], revertOf: number | null): ChangeRecord {
  return versionChange(article, previous, version, extraKinds, revertOf).change;
}

/** {@link changeForVersion}, with the diff it recorded (null for a first capture): the search index reads what the change added and removed from it. */
function versionChange(
  article: ArticleRecord,
  previous: VersionRecord | null,
  version: VersionRecord,
  extraKinds: ChangeKind[],
  revertOf: number | null,
): { change: ChangeRecord; diff: VersionDiff | null } {
  const titled = { ...article, title: version.title };
  if (!previous) {
    const change = changeFor(titled, { from: null, to: version.n, detectedAt: version.capturedAt, kinds: ["created"], summary: summarizeCreated(contentOf(version)), significance: EVENT_SIGNIFICANCE.created });
    return { change, diff: null };
  }
  const diff = asRevert(diffVersions(previous, version), revertOf);
  const change = changeFor(titled, {
    from: previous.n,
    to: version.n,
    detectedAt: version.capturedAt,
    kinds: [...diff.kinds, ...extraKinds],
    summary: [...(extraKinds.includes("restored") ? [summarizeRestored()] : []), diff.summary].join("; "),
    significance: diff.significance,
    diff,
  });
  return { change, diff };
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

/**
 * The head of an article about to get its first capture: version 1 will be `created`.
 * `retireAt` (epoch ms): when the source that found it stops it being checked (its trackDays).
 */
export function blankHead(input: { id: string; url: string; retireAt?: number | null }, nowMs: number): ArticleHead {
  const now = iso(nowMs);
  return {
    revision: 0,
    latest: null,
    host: null,
    article: {
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
      retireAt: input.retireAt == null ? null : iso(input.retireAt),
    },
  };
}

/**
 * The check's state transition. `context.previous`, `previousDigest`, `revertOf` and
 * `rawStored` are read only when {@link needsContent} says the content changed.
 */
export function decide(head: ArticleHead, attempt: CaptureAttempt, context: CheckContext): Decision {
  const stored = head.article;
  const { nowMs } = context;
  const now = iso(nowMs);
  const wasRemoved = stored.status === "removed";
  const latest = head.latest ? (({ recordSha256: _digest, ...summary }) => summary)(head.latest) : null;
  const unchangedDecision = (outcome: CheckOutcome, changed: boolean, article: ArticleRecord, change: ChangeRecord | null, error: string | null): Decision => ({
    outcome,
    changed,
    article,
    version: null,
    change,
    latest,
    error,
    diff: null,
  });

  if (attempt.kind === "retired") {
    // Redline's own decision, not something the page did: no change record (the feeds, webhooks
    // and change counts are the publisher's edits), no version, and the history stays as it is.
    const article: ArticleRecord = { ...stored, status: "retired", tracking: false, lastError: null };
    return unchangedDecision("retired", false, article, null, null);
  }

  if (attempt.kind === "blocked") {
    // Not a failure (no back-off) and not an observation of the page: the history stays as it is.
    const article: ArticleRecord = { ...stored, status: "blocked", lastError: attempt.reason, nextCheckAt: iso(nowMs + BLOCKED_RECHECK_MS) };
    return unchangedDecision("blocked", false, article, null, attempt.reason);
  }

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
    return unchangedDecision(firstMiss ? "missing" : "failed", false, article, null, article.lastError);
  }

  if (attempt.kind === "missing") {
    if (wasRemoved) return unchangedDecision("missing", false, scheduled({ ...stored, consecutiveMissing: stored.consecutiveMissing + 1 }, nowMs), null, null);
    const change = changeFor(stored, {
      from: stored.versionCount,
      to: null,
      detectedAt: now,
      kinds: ["removed"],
      summary: summarizeRemoved(attempt.status),
      significance: EVENT_SIGNIFICANCE.removed,
    });
    const article = scheduled(
      { ...stored, status: "removed", changeCount: change.seq, lastChangedAt: now, consecutiveFailures: 0, consecutiveMissing: stored.consecutiveMissing + 1, lastError: null },
      nowMs,
    );
    return unchangedDecision("removed", true, article, change, null);
  }

  if (!needsContent(head, attempt)) {
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
    if (!wasRemoved && !relocated) return unchangedDecision("unchanged", false, scheduled(healthy(refreshed), nowMs), null, null);
    const change = changeFor(stored, {
      from: stored.versionCount,
      to: stored.versionCount,
      detectedAt: now,
      kinds: [...(relocated ? (["final-url"] as const) : []), ...(wasRemoved ? (["restored"] as const) : [])],
      summary: [...(wasRemoved ? [summarizeRestored()] : []), ...(relocated ? [summarizeRelocated()] : [])].join("; "),
      significance: wasRemoved ? EVENT_SIGNIFICANCE.restored : EVENT_SIGNIFICANCE.relocated,
      ...(relocated ? { fields: { "final-url": relocated } } : {}),
    });
    const article = scheduled(healthy({ ...refreshed, changeCount: change.seq, lastChangedAt: now }), nowMs);
    return unchangedDecision(wasRemoved ? "restored" : "relocated", true, article, change, null);
  }

  const { capture } = attempt as Extract<CaptureAttempt, { kind: "captured" }>;
  const base = healthy(stored);
  const version: VersionRecord = {
    n: base.versionCount + 1,
    capturedAt: now,
    url: base.url,
    finalUrl: capture.finalUrl,
    canonicalUrl: capture.canonicalUrl,
    httpStatus: capture.httpStatus,
    charset: capture.charset,
    contentHash: capture.hash,
    ...capture.content,
    raw: { ...capture.raw, stored: context.rawStored, ...(context.rawStored ? {} : { reason: "the compressed body exceeds KV's 25 MiB value limit" }) },
    prevRecordSha256: context.previous ? context.previousDigest : null,
  };
  const { change, diff } = versionChange(base, context.previous, version, wasRemoved ? ["restored"] : [], context.previous ? context.revertOf : null);
  const advanced: ArticleRecord = {
    ...base,
    title: version.title,
    versionCount: version.n,
    changeCount: change.seq,
    latestHash: version.contentHash,
    finalUrl: version.finalUrl,
    lastChangedAt: version.capturedAt,
    etag: capture.etag,
    lastModified: capture.lastModified,
  };
  return {
    outcome: stored.versionCount === 0 ? "created" : wasRemoved ? "restored" : "new-version",
    changed: true,
    article: scheduled(advanced, nowMs),
    version,
    change,
    latest: summaryOf(version),
    error: null,
    diff,
  };
}
