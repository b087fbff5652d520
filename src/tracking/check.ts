/**
 * One check of one article: fetch, decide (src/tracking/decide.ts, pure), and commit the new
 * head with a compare-and-set on its revision (RedlineStore.commit, one D1 batch). A writer that
 * loses the race re-reads the head and decides again on top of it, so every article has one
 * writer at a time across isolates and machines (docs/storage.md, "One writer per article").
 */
import { contentHash, normalizeContent } from "../diffing";
import { extractArticle } from "../extraction";
import { fetchPage, type FetchOptions } from "../fetching/fetch-page";
import { sha256Hex } from "../digest";
import { quoteInput } from "../quote";
import type { ArticleRecord, ChangeRecord, VersionSummary } from "../storage/records";
import type { ArticleHead, HostRow, RedlineStore } from "../storage/store";
import type { SourceCatalog } from "../storage/sources";
import type { AccessStore } from "../storage/access";
import type { SubscriptionStore } from "../storage/subscriptions";
import type { WaybackCaptures } from "../storage/wayback";
import type { Politeness } from "../politeness/hosts";
import { blankHead, decide, needsContent, retirementDue, type CaptureAttempt, type CheckContext, type CheckOutcome, type Decision } from "./decide";

export type { CheckOutcome } from "./decide";

export interface Tracker {
  store: RedlineStore;
  /** The sources and what found each article (src/storage/sources.ts), on the same D1 binding. */
  sources: SourceCatalog;
  /** Subscriptions and their channels (src/storage/subscriptions.ts), on the same D1 binding. */
  subscriptions: SubscriptionStore;
  /** The Wayback Machine captures of versions (src/storage/wayback.ts), on the same D1 binding. */
  wayback: WaybackCaptures;
  /** Sign-in sessions and feed tokens (src/storage/access.ts), on the same D1 binding. */
  access: AccessStore;
  fetchOptions: Omit<FetchOptions, "etag" | "lastModified">;
  /** Tells subscribers (webhooks) about a change once it is stored. */
  announce?: (change: ChangeRecord) => Promise<void>;
  /** robots.txt and Retry-After per host (src/politeness/hosts.ts); without it every URL is allowed. */
  politeness?: Politeness;
}

export interface CheckResult {
  outcome: CheckOutcome;
  changed: boolean;
  article: ArticleRecord;
  version: VersionSummary | null;
  change: ChangeRecord | null;
  error: string | null;
}

/** A first capture that cannot become version 1; nothing has been stored. */
export class FirstCaptureError extends Error {}

/** The host's robots.txt disallows the URL: it is not tracked (the message names the rule). */
export class RobotsRefusal extends Error {}

/** Another writer moved the head this many times in a row: give up with an error, nothing half-written. */
export const MAX_COMMIT_ATTEMPTS = 5;

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


/**
 * What `decide` needs beyond the time, looked up only when the content changed: the previous
 * version's record (one KV read), the revert target (one D1 read) and the raw body, stored once
 * per attempt however often the commit is retried.
 */
async function contextFor(store: RedlineStore, head: ArticleHead, attempt: CaptureAttempt, nowMs: number, rawStored: () => Promise<boolean>): Promise<CheckContext> {
  const context: CheckContext = { nowMs, previous: null, previousDigest: null, revertOf: null, rawStored: false };
  if (!needsContent(head, attempt)) return context;
  const { article, latest } = head;
  if (latest) {
    const previous = await store.getSnapshot(latest.recordSha256);
    // Snapshots are written before their row, so a miss is KV not having caught up yet: retry later.
    if (!previous) throw new Error(`version ${latest.n} of ${article.id} (snapshot ${latest.recordSha256}) is not readable yet; the check is retried later`);
    context.previous = previous;
    context.previousDigest = latest.recordSha256;
    context.revertOf = await store.latestWithHash(article.id, (attempt as Extract<CaptureAttempt, { kind: "captured" }>).capture.hash, article.versionCount + 1);
  }
  context.rawStored = await rawStored();
  return context;
}

/**
 * A capture that lost the race to a head which already reflects a later (or the same)
 * observation adds nothing: appending it would put an older page after a newer one. Nothing
 * is written; the answer describes the head as it is.
 */
function superseded(head: ArticleHead, attempt: CaptureAttempt, nowMs: number): boolean {
  // Retiring needs no observation of the page: it stands unless the article is no longer tracked.
  if (attempt.kind === "retired") return !head.article.tracking;
  if (attempt.kind === "not-modified") return true; // its validators were the old head's
  if (attempt.kind === "captured" && attempt.capture.hash === head.article.latestHash) return true;
  const seen = head.article.lastCheckedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(head.article.lastCheckedAt);
  return seen > nowMs;
}

function resultOf(decision: Decision): CheckResult {
  const { outcome, changed, article, latest, change, error } = decision;
  return { outcome, changed, article, version: latest, change, error };
}

/**
 * Decides and commits `attempt` on top of `head` (null: the article does not exist yet),
 * re-reading the head after every lost compare-and-set.
 */
async function settle(tracker: Tracker, input: NewArticle, start: ArticleHead | null, attempt: CaptureAttempt, nowMs: number): Promise<CheckResult> {
  const { store } = tracker;
  let raw: Promise<boolean> | null = null;
  const rawStored = () => {
    if (attempt.kind !== "captured") return Promise.resolve(false);
    raw ??= store.putRaw(attempt.capture.raw.sha256, attempt.capture.body);
    return raw;
  };
  let head = start;
  for (let tries = 0; tries < MAX_COMMIT_ATTEMPTS; tries++) {
    const current = head ?? blankHead(input, nowMs);
    const decision = decide(current, attempt, await contextFor(store, current, attempt, nowMs, rawStored));
    const won =
      head === null
        ? await store.commit({ owner: "create", article: decision.article, version: decision.version!, change: decision.change! })
        : await store.commit({ owner: "check", expect: head.revision, article: decision.article, version: decision.version, change: decision.change, diff: decision.diff });
    if (won) {
      if (decision.change) await announce(tracker, decision.change);
      return resultOf(decision);
    }
    const fresh = await store.getHead(input.id);
    if (!fresh) throw new Error(`article ${input.id} disappeared while it was being checked`);
    if (superseded(fresh, attempt, nowMs)) {
      const outcome: CheckOutcome =
        attempt.kind === "failed" || attempt.kind === "missing" || attempt.kind === "blocked" || attempt.kind === "retired" ? attempt.kind : "unchanged";
      const latest = fresh.latest ? (({ recordSha256: _digest, ...summary }) => summary)(fresh.latest) : null;
      return { outcome, changed: false, article: fresh.article, version: latest, change: null, error: attempt.kind === "failed" || attempt.kind === "blocked" ? attempt.reason : null };
    }
    head = fresh;
  }
  throw new Error(`could not record the check of ${input.id}: its head moved under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
}

/**
 * Announces a stored change. A failed announcement is logged, not thrown: the change is
 * recorded either way, and the check must not fail because a queue is unavailable.
 */
async function announce(tracker: Tracker, change: ChangeRecord): Promise<void> {
  try {
    await tracker.announce?.(change);
  } catch (error) {
    console.error(`redline: could not announce change ${change.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * What a first capture creates: the article's id and canonical URL, and `retireAt` (epoch ms)
 * when a source with trackDays found it (its check then retires the article; null: never).
 */
export interface NewArticle {
  id: string;
  url: string;
  retireAt?: number | null;
}

/**
 * Creates the article from its first capture, or throws {@link FirstCaptureError} having stored
 * nothing. If another request created it meanwhile, the capture is checked against that head
 * (and `retireAt` is not applied to it).
 * `host` is the host's row when the caller already read it (the API's host claim returns it);
 * otherwise the robots.txt verdict reads it.
 */
export async function trackNewArticle(tracker: Tracker, input: NewArticle, nowMs: number, host?: HostRow | null): Promise<CheckResult> {
  const robots = await tracker.politeness?.robots(input.url, host, nowMs);
  if (robots && !robots.allowed) throw new RobotsRefusal(robots.reason);
  const attempt = await attemptCapture(tracker, input.url, {});
  if (attempt.kind !== "captured") {
    const reason =
      attempt.kind === "failed" ? attempt.reason : attempt.kind === "missing" ? `the page answered HTTP ${attempt.status}` : "unexpected 304";
    throw new FirstCaptureError(`first capture of ${quoteInput(input.url)} failed: ${reason}`);
  }
  return settle(tracker, input, null, attempt, nowMs);
}

export async function checkArticle(tracker: Tracker, head: ArticleHead, nowMs: number): Promise<CheckResult> {
  const { article } = head;
  // Past its trackDays the article is retired: nothing is asked of the site, not even robots.txt.
  if (retirementDue(article, nowMs)) return settle(tracker, { id: article.id, url: article.url }, head, { kind: "retired" }, nowMs);
  // robots.txt first (its cached row came with the head); a disallowed URL is `blocked`, not fetched.
  const robots = await tracker.politeness?.robots(article.url, head.host, nowMs);
  const attempt: CaptureAttempt =
    robots && !robots.allowed
      ? { kind: "blocked", reason: robots.reason }
      : await attemptCapture(tracker, article.url, { etag: article.etag, lastModified: article.lastModified });
  // A 429/503 with Retry-After holds back the whole host, not just this article (capped at 24 h).
  if (attempt.kind === "failed" && attempt.retryAfter && tracker.politeness) {
    const until = "at" in attempt.retryAfter ? attempt.retryAfter.at : nowMs + attempt.retryAfter.delaySeconds * 1000;
    await tracker.politeness.pushBack(article.site, until, nowMs);
  }
  return settle(tracker, { id: article.id, url: article.url }, head, attempt, nowMs);
}

/**
 * Stops (DELETE) or resumes (POSTing the URL again) tracking: the only writers of `tracking`.
 * Returns the article as committed.
 */
export async function setTracking(store: RedlineStore, id: string, tracking: boolean, nowMs: number): Promise<ArticleRecord | null> {
  for (let tries = 0; tries < MAX_COMMIT_ATTEMPTS; tries++) {
    const head = await store.getHead(id);
    if (!head) return null;
    if (head.article.tracking === tracking) return head.article;
    const nextCheckAt = tracking ? new Date(nowMs).toISOString() : head.article.nextCheckAt;
    if (await store.commit({ owner: "tracking", expect: head.revision, id, tracking, nextCheckAt })) {
      // As the commit wrote it: a resume tracks until stopped, and a retired article is active again.
      const resumed = tracking ? { retireAt: null, status: head.article.status === "retired" ? ("active" as const) : head.article.status } : {};
      return { ...head.article, tracking, nextCheckAt, ...resumed };
    }
  }
  throw new Error(`could not change tracking of ${id}: its head moved under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
}
