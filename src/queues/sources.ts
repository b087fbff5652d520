/**
 * The two discovery messages of `redline-checks` (src/queues/checks.ts routes on `type`):
 * `source`, one check of one source, and `discover`, the first capture of one entry a source
 * found. Each claims its host first, with the articles' compare-and-set, so a source and the
 * entries it finds are requests to their hosts like any check.
 */
import { checkSource, type SourceChecker } from "../discovery/check-source";
import { failedRetryAt } from "../discovery/plan";
import { articleIdFor } from "../fetching/url";
import { DUE_TOLERANCE_MS } from "../scheduling";
import { FirstCaptureError, RobotsRefusal, trackNewArticle } from "../tracking/check";
import { DISPATCH_WINDOW_MS } from "../tracking/dispatch";
import type { DiscoverMessage, SourceCheckMessage } from "./messages";
import { QUEUE_MAX_DELAY_SECONDS } from "./names";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What became of one message (as an article check's; src/queues/checks.ts acts on it). */
export type ConsumedMessage =
  | { kind: "checked"; outcome: string }
  | { kind: "skipped"; why: string }
  | { kind: "wait"; delaySeconds: number }
  | { kind: "deferred"; waitMs: number }
  | { kind: "crashed"; error: string };

/**
 * The host is not free yet: a short wait is the message again with that delay; a long one (a
 * Retry-After push-back) is left to the dispatcher, which sends it again: a source once its
 * lease expires, a still-queued entry once its `retry_at` has passed.
 */
export function waitFor(nextAllowedAt: number, nowMs: number): ConsumedMessage {
  const waitMs = Math.max(nextAllowedAt - nowMs, 1);
  if (waitMs > DISPATCH_WINDOW_MS) return { kind: "deferred", waitMs };
  return { kind: "wait", delaySeconds: Math.min(Math.ceil(waitMs / 1000), QUEUE_MAX_DELAY_SECONDS) };
}

/** A `source` message: claim the host if the source is due (or a hub notified it), then check. */
export async function consumeSourceCheck(checker: SourceChecker, message: SourceCheckMessage): Promise<ConsumedMessage> {
  const nowMs = Math.max(Date.now(), message.notBefore);
  try {
    const mode = message.reason === "websub" ? "websub" : "due";
    const { claimed, source, host } = await checker.sources.claimHostAndReadSource(message.sourceId, nowMs, nowMs + DUE_TOLERANCE_MS, checker.minHostIntervalMs, mode);
    if (!source) return { kind: "skipped", why: "gone" };
    if (source.status === "paused") return { kind: "skipped", why: "paused" };
    if (mode === "due" && source.nextCheckAt > nowMs + DUE_TOLERANCE_MS) return { kind: "skipped", why: "not-due" };
    if (!claimed) return waitFor(host?.nextAllowedAt ?? nowMs, nowMs);
    const result = await checkSource(checker, source, host, nowMs);
    return { kind: "checked", outcome: `source-${result.outcome}` };
  } catch (error) {
    return { kind: "crashed", error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A `discover` message: the entry's first capture through the same commit path as
 * `POST /api/articles` (`trackNewArticle`: robots.txt, the `created` change, `retireAt` from the
 * source's trackDays), then the link to the source. An article that exists already (another
 * source found it, or it was pasted) is linked, never captured again. A capture that fails marks
 * the entry `failed` with the reason and a retry time; it does not throw.
 */
export async function consumeDiscover(checker: SourceChecker, message: DiscoverMessage): Promise<ConsumedMessage> {
  const nowMs = Math.max(Date.now(), message.notBefore);
  const { sources, tracker } = checker;
  try {
    const articleId = await articleIdFor(message.url);
    const claim = await sources.claimHostForEntry(message.sourceId, message.url, articleId, message.host, nowMs, checker.minHostIntervalMs);
    if (!claim.source) return { kind: "skipped", why: "gone" };
    if (claim.entryState !== "queued") return { kind: "skipped", why: claim.entryState === null ? "gone" : `entry-${claim.entryState}` };
    const link = { sourceId: message.sourceId, sourceUrl: claim.source.url, url: message.url, articleId, foundAt: message.foundAt, entryTitle: message.entryTitle };
    if (claim.articleExists) {
      await sources.linkEntry(link);
      return { kind: "checked", outcome: "discover-linked" };
    }
    if (!claim.claimed) return waitFor(claim.host?.nextAllowedAt ?? nowMs, nowMs);
    const retireAt = claim.source.trackDays === null ? null : message.foundAt + claim.source.trackDays * DAY_MS;
    try {
      const result = await trackNewArticle(tracker, { id: articleId, url: message.url, retireAt }, nowMs, claim.host);
      await sources.linkEntry(link);
      // `created`, or — another request created it meanwhile — that head's check outcome.
      return { kind: "checked", outcome: `discover-${result.outcome}` };
    } catch (error) {
      if (!(error instanceof FirstCaptureError || error instanceof RobotsRefusal)) throw error;
      await sources.failEntry(message.sourceId, message.url, error.message, failedRetryAt(message.foundAt, nowMs));
      return { kind: "checked", outcome: "discover-failed" };
    }
  } catch (error) {
    return { kind: "crashed", error: error instanceof Error ? error.message : String(error) };
  }
}
