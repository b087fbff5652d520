/**
 * Which of a source's entries a check turns into tracked articles, and when each host is asked:
 * pure, on plain values (the entries as parsed, what D1 already knows of them, the hosts' rows).
 * src/discovery/check-source.ts does the reading and writing around it.
 *
 *  1. `screenEntries`: the first SOURCE_ENTRIES_READ entries (newest first), each URL
 *     normalised and refused when it is not a public http(s) address, duplicates dropped, then
 *     the source's filter.
 *  2. `planEntries`, once D1 has said which entries it stored before and which articles exist:
 *     at most SOURCE_ENTRIES_PER_CHECK new ones acted on (linked or queued), the rest
 *     `over-limit`, taken by a later check. An entry stored before is never sent again by a
 *     check: the dispatcher sends a `queued` or `failed` one again after its `retry_at`
 *     (src/tracking/dispatch.ts), whatever its source answers.
 *  3. `spaceDiscoveries`: each host's first captures spaced by its interval after what is booked.
 */
import { InvalidUrlError, normalizeArticleUrl, refusalReason } from "../fetching/url";
import { hostInterval } from "../politeness/hosts";
import { QUEUE_MAX_DELAY_SECONDS } from "../queues/names";
import { backedOff, FAILURE_BACKOFF_BASE_MS, FAILURE_BACKOFF_CAP_MS, type RetryAfter } from "../scheduling";
import type { HostRow } from "../storage/store";
import type { DiscoveredEntry, SkippedEntry, SkipReason } from "./model";

/** New entries one check acts on at most: 50 first captures, spaced 1 s apart per host by default. */
export const SOURCE_ENTRIES_PER_CHECK = 50;
/**
 * Entries one check reads at most, newest first. A Google News sitemap lists at most 1,000; a
 * deeper tail (a 100,000-entry feed) is old news, reported as one `over-limit` entry.
 */
export const SOURCE_ENTRIES_READ = 1000;
/**
 * A `queued` entry whose first capture has not landed this long after its message's slot is sent
 * again by the dispatcher (the worker died between the commit and the send, the message was lost
 * or dead-lettered): the article lease's grace (src/tracking/dispatch.ts), which covers the
 * consumer's retries.
 */
export const QUEUED_RESEND_AFTER_MS = 60 * 60 * 1000;
/** A first capture that keeps failing is retried (by the dispatcher), ever more rarely, for this long after discovery, then left `failed`. */
export const FAILED_RETRY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** An entry that passed the filter, as the check's plan handles it. */
export interface Candidate {
  url: string;
  host: string;
  entryTitle: string | null;
}

/** A source's filter bound to its time (src/discovery/filter.ts `entryVerdict`): why an entry is skipped, or null. */
export type Verdict = (entry: DiscoveredEntry) => { reason: SkipReason; detail: string } | null;

/** Step 1: URLs, duplicates and the filter, in the source's order (newest first). */
export function screenEntries(entries: readonly DiscoveredEntry[], verdict: Verdict, allowLoopback: boolean): { candidates: Candidate[]; skipped: SkippedEntry[] } {
  const candidates: Candidate[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new Set<string>();
  for (const entry of entries.slice(0, SOURCE_ENTRIES_READ)) {
    let url: string;
    try {
      url = normalizeArticleUrl(entry.url);
    } catch (error) {
      if (!(error instanceof InvalidUrlError)) throw error;
      skipped.push({ url: entry.url, reason: "refused-url", detail: error.message });
      continue;
    }
    const refusal = refusalReason(url, allowLoopback);
    if (refusal) {
      skipped.push({ url, reason: "refused-url", detail: refusal });
      continue;
    }
    if (seen.has(url)) {
      skipped.push({ url, reason: "duplicate", detail: "listed earlier in the same source" });
      continue;
    }
    seen.add(url);
    const filtered = verdict({ ...entry, url });
    if (filtered) {
      skipped.push({ url, ...filtered });
      continue;
    }
    candidates.push({ url, host: new URL(url).hostname, entryTitle: entry.title });
  }
  const unread = entries.length - SOURCE_ENTRIES_READ;
  if (unread > 0) {
    skipped.push({
      url: entries[SOURCE_ENTRIES_READ]!.url,
      reason: "over-limit",
      detail: `this and the ${unread - 1} entries after it are past the ${SOURCE_ENTRIES_READ} a check reads`,
    });
  }
  return { candidates, skipped };
}

/** What D1 holds of an entry this source stored before (`source_entries`). */
export interface KnownEntry {
  state: "queued" | "tracked" | "failed";
  foundAt: number;
  retryAt: number | null;
  lastError: string | null;
}

/** Step 2's answer: each acted-on entry once, in the source's order. */
export interface EntryPlan {
  /** The article exists (pasted, or found by another source): linked to this source now, nothing fetched. */
  link: Candidate[];
  /** New to this source: stored `queued`, a first capture sent. */
  queue: Candidate[];
  skipped: SkippedEntry[];
}

/**
 * Step 2. `known`: this source's stored entries by URL; `existing`: URLs whose article exists.
 * Entries stored before are left alone (the dispatcher sends a `queued` or `failed` one again
 * after its `retry_at`); a failed one is reported with its error and when it is retried. Each
 * linked or queued entry counts against `limit`.
 */
export function planEntries(
  candidates: readonly Candidate[],
  known: ReadonlyMap<string, KnownEntry>,
  existing: ReadonlySet<string>,
  limit = SOURCE_ENTRIES_PER_CHECK,
): EntryPlan {
  const plan: EntryPlan = { link: [], queue: [], skipped: [] };
  let taken = 0;
  const take = (list: Candidate[], candidate: Candidate) => {
    if (taken >= limit) {
      plan.skipped.push({ url: candidate.url, reason: "over-limit", detail: `past the ${limit} new entries a check takes; the next check takes it` });
      return;
    }
    taken++;
    list.push(candidate);
  };
  for (const candidate of candidates) {
    const entry = known.get(candidate.url);
    if (!entry) take(existing.has(candidate.url) ? plan.link : plan.queue, candidate);
    else if (entry.state === "failed") plan.skipped.push({ url: candidate.url, ...failedReason(entry) });
  }
  return plan;
}

function failedReason(entry: KnownEntry): { reason: SkipReason; detail: string } {
  const error = entry.lastError ?? "its first capture failed";
  const when = entry.retryAt === null ? "not retried" : `retried after ${new Date(entry.retryAt).toISOString()}`;
  // The discover consumer stores a robots.txt refusal's own sentence, which names the file.
  return { reason: error.startsWith("robots.txt") ? "robots" : "capture-failed", detail: `${error}; ${when}` };
}

/**
 * When a failed first capture is tried again: after as long as the entry has been known (so
 * the waits double: 15 min, 30 min, 1 h …, within the article back-off's bounds), or never once
 * it has failed for FAILED_RETRY_WINDOW_MS.
 */
export function failedRetryAt(foundAt: number, nowMs: number): number | null {
  const age = nowMs - foundAt;
  if (age >= FAILED_RETRY_WINDOW_MS) return null;
  return nowMs + Math.min(Math.max(age, FAILURE_BACKOFF_BASE_MS), FAILURE_BACKOFF_CAP_MS);
}

/** One first capture's place in its host's queue. */
export interface DiscoverySlot {
  candidate: Candidate;
  /** Epoch ms: the message's `notBefore` (the check's time plus its whole-second delay). */
  notBefore: number;
  delaySeconds: number;
}

/**
 * Step 3: each host's first captures spaced by its interval (its own setting or the
 * deployment's, widened by Crawl-delay), starting after the later of now, its next allowed time
 * and what the dispatcher or an earlier check booked. Returns the slots in the candidates' order
 * and, per host, the time it is booked until (the end of its last slot).
 */
export function spaceDiscoveries(
  candidates: readonly Candidate[],
  hosts: ReadonlyMap<string, HostRow>,
  nowMs: number,
  defaultIntervalMs: number,
): { slots: DiscoverySlot[]; bookings: Map<string, number> } {
  const next = new Map<string, number>();
  const bookings = new Map<string, number>();
  const slots = candidates.map((candidate) => {
    const row = hosts.get(candidate.host) ?? null;
    const interval = hostInterval(row, defaultIntervalMs);
    const start = next.get(candidate.host) ?? Math.max(nowMs, row?.nextAllowedAt ?? 0, row?.bookedUntil ?? 0);
    // Rounded up to whole seconds (Queues' delay unit), so two requests are never closer than the interval.
    const delaySeconds = Math.min(Math.ceil((start - nowMs) / 1000), QUEUE_MAX_DELAY_SECONDS);
    const notBefore = nowMs + delaySeconds * 1000;
    next.set(candidate.host, notBefore + interval);
    bookings.set(candidate.host, notBefore + interval);
    return { candidate, notBefore, delaySeconds };
  });
  return { slots, bookings };
}

/** A source's state after one check, as the check's commit writes it. */
export interface SourceOutcome {
  status: "active" | "failing";
  nextCheckAt: number;
  consecutiveFailures: number;
  lastError: string | null;
}

/**
 * The check's state transition: a read (200 or 304) makes the source active and due again after
 * its interval; a failure makes it `failing` with the error, due after the article back-off
 * (15 min × 2^(failures − 1), up to 24 h) or the server's Retry-After, whichever is later.
 */
export function sourceOutcome(
  source: { intervalMs: number; consecutiveFailures: number },
  result: { ok: true } | { ok: false; error: string; retryAfter?: RetryAfter | null },
  nowMs: number,
): SourceOutcome {
  if (result.ok) return { status: "active", nextCheckAt: nowMs + source.intervalMs, consecutiveFailures: 0, lastError: null };
  const failures = source.consecutiveFailures + 1;
  return { status: "failing", nextCheckAt: backedOff(nowMs, source.intervalMs, failures, result.retryAfter ?? null), consecutiveFailures: failures, lastError: result.error };
}
