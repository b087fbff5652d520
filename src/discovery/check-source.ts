/**
 * One check of one source, the effectful layer around the pure plan (src/discovery/plan.ts):
 * robots.txt, a conditional GET, the parse (and a sitemap index's children, bounded), the
 * filter, then ONE D1 batch that commits the source's new state with its new entries
 * (compare-and-set on `sources.revision`), and then the first captures sent to `redline-checks`
 * as `discover` messages, spaced per host. The caller has claimed the source's host.
 *
 * A worker that dies between the commit and the sends leaves the entries `queued` with a
 * `retry_at` (their slot plus QUEUED_RESEND_AFTER_MS): the dispatcher's first tick after it
 * sends them again, whatever the source answers by then (src/tracking/dispatch.ts), and the
 * discover consumer captures an entry once whatever the number of messages (it claims only a
 * `queued` entry whose article does not exist, and links an existing one). A check never sends
 * an entry it stored before.
 */
import type { Env } from "../env";
import { fetchSource, type SourceFetchOutcome } from "../fetching/fetch-source";
import { articleIdFor } from "../fetching/url";
import { QUEUES, SEND_BATCH_LIMIT } from "../queues/names";
import type { DiscoverMessage } from "../queues/messages";
import type { RetryAfter } from "../scheduling";
import { SourceChecks, type EntryWrite, type SourceHead } from "../storage/source-checks";
import type { HostRow } from "../storage/store";
import type { Tracker } from "../tracking/check";
import { scaleSettings } from "../tracking";
import { ensureWebSub } from "./websub-client";
import { entryVerdict, FilterError, parseFilter } from "./filter";
import type { DiscoveredEntry, ParsedSource, SkippedEntry, SourceFilter, SourceType } from "./model";
import { MAX_CHILD_SITEMAPS, nextSitemaps, parseSource } from "./parse";
import { planEntries, QUEUED_RESEND_AFTER_MS, screenEntries, sourceOutcome, spaceDiscoveries, type Candidate } from "./plan";

/** A lost compare-and-set (another check, an edit of the source) re-plans on the fresh row this many times. */
const MAX_COMMIT_ATTEMPTS = 3;

/** What a source check needs beyond the tracker: its D1 questions, the queue, the host spacing, the WebSub hook. */
export interface SourceChecker {
  tracker: Tracker;
  sources: SourceChecks;
  queue: Queue<DiscoverMessage> | undefined;
  minHostIntervalMs: number;
  /** After a read that advertises a hub (src/discovery/websub-client.ts); never fails the check. */
  websub: (source: { id: string; url: string }, discovery: { hub: string | null; self: string | null; linkHeader: string | null }, nowMs: number) => Promise<void>;
}

export function sourceCheckerFor(env: Env, tracker: Tracker): SourceChecker {
  return {
    tracker,
    sources: new SourceChecks(env.DB),
    queue: env.CHECKS as Queue<DiscoverMessage> | undefined,
    minHostIntervalMs: scaleSettings(env).minHostIntervalMs,
    websub: (source, discovery, nowMs) => ensureWebSub(env, source, discovery, nowMs),
  };
}

export interface SourceCheckResult {
  /** `read`: a 200 parsed; `unchanged`: 304; `failed`: the source is now failing (`error` says why); `gone`: deleted meanwhile. */
  outcome: "read" | "unchanged" | "failed" | "gone";
  /** Entries the source listed (a sitemap index: over the children read). */
  found: number;
  /** Articles that existed (pasted, or found by another source) and are now linked to this source. */
  linked: string[];
  /** First captures sent (or, if the send failed, left queued: the dispatcher sends them after their `retry_at`). */
  queued: Array<{ url: string; articleId: string; notBefore: number }>;
  skipped: SkippedEntry[];
  error: string | null;
}

type Read = { ok: true; parsed: ParsedSource; entries: DiscoveredEntry[]; etag: string | null; lastModified: string | null; skipped: SkippedEntry[] };
type Failure = { ok: false; error: string; retryAfter: RetryAfter | null };

function failureOf(fetched: Exclude<SourceFetchOutcome, { kind: "ok" | "not-modified" }>): Failure {
  switch (fetched.kind) {
    case "missing":
      return { ok: false, error: `the source answered HTTP ${fetched.status}`, retryAfter: null };
    case "transient":
      return { ok: false, error: fetched.reason, retryAfter: fetched.retryAfter };
    case "refused":
      return { ok: false, error: fetched.reason, retryAfter: null };
  }
}

/**
 * A sitemap index's children, read one after another (never at once: one host, one request at a
 * time), at most MAX_CHILD_SITEMAPS, each URL once (an index that lists itself or a visited one
 * ends there). A child that cannot be read is reported and skipped; its siblings still count.
 */
async function readChildren(checker: SourceChecker, source: SourceHead, parsed: ParsedSource, nowMs: number): Promise<{ entries: DiscoveredEntry[]; skipped: SkippedEntry[] }> {
  const visited = new Set([source.url]);
  const entries: DiscoveredEntry[] = [];
  const skipped: SkippedEntry[] = [];
  let pending = parsed.childSitemaps;
  while (pending.length > 0) {
    const next = nextSitemaps(visited, pending, MAX_CHILD_SITEMAPS);
    const full = visited.size + next.length >= MAX_CHILD_SITEMAPS;
    for (const url of pending.filter((child) => !next.includes(child))) {
      skipped.push(
        full && !visited.has(url)
          ? { url, reason: "over-limit", detail: `past the ${MAX_CHILD_SITEMAPS} sitemaps a check reads` }
          : { url, reason: "duplicate", detail: "a sitemap this check has read already (an index that lists itself, or a repeated child)" },
      );
    }
    const children: string[] = [];
    for (const url of next) {
      visited.add(url);
      const robots = await checker.tracker.politeness?.robots(url, undefined, nowMs);
      if (robots && !robots.allowed) {
        skipped.push({ url, reason: "robots", detail: robots.reason });
        continue;
      }
      const fetched = await fetchSource(url, checker.tracker.fetchOptions);
      if (fetched.kind !== "ok") {
        const detail = fetched.kind === "not-modified" ? "answered 304 to an unconditional request" : failureOf(fetched).error;
        skipped.push({ url, reason: "capture-failed", detail: `the child sitemap could not be read: ${detail}` });
        continue;
      }
      const child = parseSource(fetched.body, { url: fetched.finalUrl, contentType: fetched.contentType });
      if (!child.ok) {
        skipped.push({ url, reason: "capture-failed", detail: `the child sitemap could not be read: ${child.error}` });
        continue;
      }
      entries.push(...child.entries);
      children.push(...child.childSitemaps);
    }
    pending = children;
  }
  return { entries, skipped };
}

/** Robots, the conditional GET and the parse: the source's body as entries, or why not. */
async function readSource(checker: SourceChecker, source: SourceHead, host: HostRow | null, nowMs: number): Promise<Read | Failure | { ok: "unchanged" }> {
  const { tracker } = checker;
  const robots = await tracker.politeness?.robots(source.url, host, nowMs);
  if (robots && !robots.allowed) return { ok: false, error: robots.reason, retryAfter: null };
  const fetched = await fetchSource(source.url, { ...tracker.fetchOptions, etag: source.etag, lastModified: source.lastModified });
  if (fetched.kind === "not-modified") return { ok: "unchanged" };
  if (fetched.kind !== "ok") {
    const failure = failureOf(fetched);
    // A 429/503 with Retry-After holds back the whole host, as it does for an article.
    if (failure.retryAfter && tracker.politeness) {
      const until = "at" in failure.retryAfter ? failure.retryAfter.at : nowMs + failure.retryAfter.delaySeconds * 1000;
      await tracker.politeness.pushBack(source.site, until, nowMs);
    }
    return failure;
  }
  const parsed = parseSource(fetched.body, { url: fetched.finalUrl, contentType: fetched.contentType, ...(source.type ? { type: source.type } : {}) });
  if (!parsed.ok) return { ok: false, error: parsed.error, retryAfter: null };
  const linkHeader = fetched.headers.find(([name]) => name === "link")?.[1] ?? null;
  if (parsed.hub !== null || linkHeader !== null) await checker.websub({ id: source.id, url: source.url }, { hub: parsed.hub, self: parsed.self, linkHeader }, nowMs);
  const children = parsed.childSitemaps.length > 0 ? await readChildren(checker, source, parsed, nowMs) : { entries: [], skipped: [] };
  return { ok: true, parsed, entries: [...parsed.entries, ...children.entries], etag: fetched.etag, lastModified: fetched.lastModified, skipped: children.skipped };
}

/** The stored filter, read back through POST /api/sources' own validation; an unreadable one fails the check (never crashes it). */
function filterOf(source: SourceHead): { ok: true; filter: SourceFilter } | Failure {
  try {
    return { ok: true, filter: parseFilter(JSON.parse(source.filter)) };
  } catch (error) {
    if (!(error instanceof FilterError || error instanceof SyntaxError)) throw error;
    return { ok: false, error: `its stored filter cannot be read: ${error.message}`, retryAfter: null };
  }
}

/**
 * Checks `source` (its host already claimed) and commits the outcome; sends the first captures.
 * Never throws for a source that merely failed: that is its committed `failing` state.
 */
export async function checkSource(checker: SourceChecker, start: SourceHead, host: HostRow | null, nowMs: number): Promise<SourceCheckResult> {
  const filtered = filterOf(start);
  const read = filtered.ok ? await readSource(checker, start, host, nowMs) : filtered;
  const result: SourceCheckResult = { outcome: "unchanged", found: 0, linked: [], queued: [], skipped: [], error: null };
  let candidates: Array<Candidate & { articleId: string }> = [];
  if (read.ok === true && filtered.ok) {
    const { filter } = filtered;
    const screened = screenEntries(read.entries, (entry) => entryVerdict(entry, filter, nowMs), checker.tracker.fetchOptions.allowLoopback ?? false);
    candidates = await Promise.all(screened.candidates.map(async (c) => ({ ...c, articleId: await articleIdFor(c.url) })));
    result.outcome = "read";
    result.found = read.entries.length;
    result.skipped = [...read.skipped, ...screened.skipped];
  } else if (read.ok === false) {
    result.outcome = "failed";
    result.error = read.error;
  }
  const ids = new Map(candidates.map((c) => [c.url, c.articleId]));
  const write = (c: Candidate, retryAt: number | null): EntryWrite => ({ url: c.url, articleId: ids.get(c.url)!, entryTitle: c.entryTitle, retryAt });

  let source: SourceHead | null = start;
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS && source; attempt++) {
    const lookup = await checker.sources.lookupEntries(source.id, candidates);
    const plan = planEntries(candidates, lookup.known, lookup.existing);
    const { slots, bookings } = spaceDiscoveries(plan.queue, lookup.hosts, nowMs, checker.minHostIntervalMs);
    const slotOf = new Map(slots.map((slot) => [slot.candidate.url, slot]));
    const resendAt = (c: Candidate) => slotOf.get(c.url)!.notBefore + QUEUED_RESEND_AFTER_MS;
    const outcome = sourceOutcome(source, read.ok === false ? read : { ok: true }, nowMs);
    const won = await checker.sources.commitCheck({
      sourceId: source.id,
      sourceUrl: source.url,
      expect: source.revision,
      nowMs,
      ...outcome,
      read:
        read.ok === true
          ? { etag: read.etag, lastModified: read.lastModified, entriesSeen: read.entries.length, type: read.parsed.type as SourceType, title: read.parsed.title }
          : null,
      queued: plan.queue.map((c) => write(c, resendAt(c))),
      linked: plan.link.map((c) => write(c, null)),
      bookings: [...bookings].map(([bookedHost, until]) => ({ host: bookedHost, until })),
    });
    if (!won) {
      source = await checker.sources.getSource(start.id);
      continue;
    }
    result.linked = plan.link.map((c) => ids.get(c.url)!);
    result.skipped.push(...plan.skipped);
    result.queued = slots.map((slot) => ({ url: slot.candidate.url, articleId: ids.get(slot.candidate.url)!, notBefore: slot.notBefore }));
    await sendDiscoveries(checker, source.id, slots, nowMs);
    return result;
  }
  if (!source) return { ...result, outcome: "gone", linked: [], queued: [] };
  throw new Error(`could not record the check of source ${start.id}: its row moved under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
}

/**
 * The committed first captures, ≤ 100 per sendBatch, each with its host slot's delay. A failed
 * send is logged, not thrown: the entries are committed `queued` and the dispatcher sends them
 * again after their `retry_at`.
 */
async function sendDiscoveries(checker: SourceChecker, sourceId: string, slots: ReturnType<typeof spaceDiscoveries>["slots"], nowMs: number): Promise<void> {
  const messages: Array<MessageSendRequest<DiscoverMessage>> = slots.map(({ candidate, notBefore, delaySeconds }) => ({
    body: { type: "discover", sourceId, url: candidate.url, host: candidate.host, entryTitle: candidate.entryTitle, foundAt: nowMs, notBefore },
    ...(delaySeconds > 0 ? { delaySeconds } : {}),
  }));
  if (messages.length === 0) return;
  if (!checker.queue) {
    console.error(JSON.stringify({ event: "discover-send-failed", sourceId, error: `no ${QUEUES.checks} binding: ${messages.length} entries stay queued` }));
    return;
  }
  for (let start = 0; start < messages.length; start += SEND_BATCH_LIMIT) {
    try {
      await checker.queue.sendBatch(messages.slice(start, start + SEND_BATCH_LIMIT));
    } catch (error) {
      console.error(JSON.stringify({ event: "discover-send-failed", sourceId, sent: start, error: error instanceof Error ? error.message : String(error) }));
      return;
    }
  }
}

/** What `POST /api/sources/:id/check` answers besides the source: every first capture is queued, none is made within the request. */
export type ManualCheck =
  | { kind: "checked"; result: SourceCheckResult }
  | { kind: "not-found" }
  | { kind: "host-busy"; host: string; nextAllowedAt: number };

/**
 * An immediate check (the API): claims the source's host like POST /api/articles/:id/check (due
 * or not, paused or not: an administrator asked), and checks. The first captures it finds are
 * queued, spaced per host like the scheduled check's — never made inside the request, which
 * holds one slot of the source's host and none of the entries' hosts.
 */
export async function checkSourceNow(tracker: Tracker, sourceId: string, nowMs: number, env: Env): Promise<ManualCheck> {
  const checker = sourceCheckerFor(env, tracker);
  const { claimed, source, host } = await checker.sources.claimHostAndReadSource(sourceId, nowMs, nowMs, checker.minHostIntervalMs, "manual");
  if (!source) return { kind: "not-found" };
  if (!claimed) return { kind: "host-busy", host: source.site, nextAllowedAt: host?.nextAllowedAt ?? nowMs };
  return { kind: "checked", result: await checkSource(checker, source, host, nowMs) };
}
